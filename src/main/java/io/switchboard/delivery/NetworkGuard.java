package io.switchboard.delivery;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Keeps tenant-configured HTTP destinations (webhook URLs, Twilio/FCM base URLs, OAuth token URIs) off
 * this machine and private networks — otherwise a tenant could aim a webhook at the admin port or a
 * cloud metadata address. Checked at send time, on every address the host resolves to. Disabled by
 * {@code delivery.allowPrivateNetworks} (tests, and deployments whose providers live on a private
 * network). Limitation: the HTTP client resolves the name again, so a DNS answer that changes in
 * between (rebinding) is not caught.
 */
public final class NetworkGuard {
    private final boolean allowPrivate;

    public NetworkGuard(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** Null when the URI may be called; otherwise why not. */
    public String check(URI uri) {
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            return "Only http and https destinations are allowed.";
        }
        if (allowPrivate) return null;
        String host = uri.getHost();
        if (host == null) return "The destination has no host.";
        InetAddress[] addrs;
        try {
            addrs = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return null; // the request itself will fail as a connection error (transient)
        }
        for (InetAddress a : addrs) {
            if (isPrivate(a)) {
                return "Destination " + host + " resolves to a loopback, private or link-local address ("
                        + a.getHostAddress() + "); set delivery.allowPrivateNetworks to allow it.";
            }
        }
        return null;
    }

    static boolean isPrivate(InetAddress a) {
        if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (b.length == 4) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second < 128) // carrier-grade NAT
                    || (first == 198 && (second == 18 || second == 19));       // benchmarking
        }
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) == 0xfc; // unique local fc00::/7
        }
        return false;
    }
}
