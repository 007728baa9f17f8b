-- The website's assistant (Bedrock): one session per visitor
-- conversation, its messages in order. A session may lead to an inquiry.
CREATE TABLE chat_sessions (
    id           uuid        PRIMARY KEY,
    visitor_id   text        NOT NULL,
    inquiry_id   bigint      REFERENCES inquiries (id) ON DELETE SET NULL,
    model_id     text        NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    closed_at    timestamptz
);
CREATE INDEX chat_sessions_visitor_idx ON chat_sessions (visitor_id, started_at DESC);
CREATE INDEX chat_sessions_open_idx ON chat_sessions (last_seen_at) WHERE closed_at IS NULL;

CREATE TABLE chat_messages (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id    uuid        NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    seq           integer     NOT NULL,
    role          text        NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
    content       text        NOT NULL,
    input_tokens  integer,
    output_tokens integer,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, seq)
);
