-- SES events of the emails the platform sends (via SNS): one row per
-- event; the SES message id and event type make a delivery idempotent.
CREATE TABLE email_events (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id    text        NOT NULL,
    inquiry_id    bigint      REFERENCES inquiries (id) ON DELETE SET NULL,
    recipient     text        NOT NULL,
    event_type    text        NOT NULL
                  CHECK (event_type IN ('send', 'delivery', 'bounce', 'complaint', 'open',
                                        'click', 'reject', 'delivery_delay')),
    detail        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    occurred_at   timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (message_id, event_type, recipient, occurred_at)
);
CREATE INDEX email_events_inquiry_idx ON email_events (inquiry_id, occurred_at DESC);
CREATE INDEX email_events_recipient_idx ON email_events (lower(recipient), occurred_at DESC);
