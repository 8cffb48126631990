package io.crossmodal.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Port numbers for addresses where nothing should answer. */
final class Ports {
    private Ports() {
    }

    /**
     * A loopback port that was free a moment ago and is closed now: the Kafka address of processes whose broker is
     * meant to be unreachable (the services start and serve without it, as in a cluster whose broker is down).
     */
    static int closed() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
