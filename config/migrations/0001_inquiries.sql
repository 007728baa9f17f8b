-- Inquiries from the public contact form: the start of every engagement.
CREATE TABLE inquiries (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text        NOT NULL,
    email        text        NOT NULL,
    company      text,
    phone        text,
    service      text        NOT NULL,
    message      text        NOT NULL,
    status       text        NOT NULL DEFAULT 'new'
                 CHECK (status IN ('new', 'contacted', 'qualified', 'won', 'lost', 'spam')),
    source       text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inquiries_status_created_idx ON inquiries (status, created_at DESC);
CREATE INDEX inquiries_email_idx ON inquiries (lower(email));
