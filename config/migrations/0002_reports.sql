-- Reports the consultants write for an inquiry (assessments, proposals),
-- generated or edited; the body is Markdown.
CREATE TABLE reports (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inquiry_id   bigint      NOT NULL REFERENCES inquiries (id) ON DELETE CASCADE,
    kind         text        NOT NULL CHECK (kind IN ('assessment', 'proposal', 'summary')),
    title        text        NOT NULL,
    body         text        NOT NULL,
    generated_by text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_inquiry_idx ON reports (inquiry_id, created_at DESC);
