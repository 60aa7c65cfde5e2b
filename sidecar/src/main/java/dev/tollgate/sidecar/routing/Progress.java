package dev.tollgate.sidecar.routing;

/** How far a failed request got towards its client, which decides how the failure can still be told. */
public enum Progress {
    /** Nothing was sent: answer with an HTTP error. */
    NOTHING_SENT,
    /** A stream started: end it with an error event. */
    STREAM_STARTED,
    /** The client went away: nothing more can be sent. */
    CLIENT_GONE
}
