-- The timeline of an inquiry: status changes, notes, calls, emails.
CREATE TABLE activities (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inquiry_id   bigint      NOT NULL REFERENCES inquiries (id) ON DELETE CASCADE,
    actor        text        NOT NULL,
    kind         text        NOT NULL,
    detail       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activities_inquiry_created_idx ON activities (inquiry_id, created_at DESC);
CREATE INDEX activities_kind_idx ON activities (kind);
