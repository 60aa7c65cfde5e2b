package dev.tollgate.sidecar.limits;

import dev.tollgate.proto.control.v1.LeaseRequest;

/** Where lease requests go: the control stream. Implementations are thread-safe. */
public interface LeaseChannel {

    /** No control plane at all (tests without one): limited keys are refused, unlimited ones pass. */
    LeaseChannel DISCONNECTED = new LeaseChannel() {
        @Override
        public boolean connected() {
            return false;
        }

        @Override
        public boolean send(LeaseRequest request) {
            return false;
        }
    };

    /** Whether the stream is up, so that a request sent now can be answered. */
    boolean connected();

    /** Sends the request; false when it could not be handed to the stream. Never blocks on the network. */
    boolean send(LeaseRequest request);
}
