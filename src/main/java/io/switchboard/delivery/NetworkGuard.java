package io.switchboard.delivery;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Keeps tenant-configured destinations — webhook URLs, Twilio/FCM base URLs, OAuth token URIs, SMTP
 * hosts and APNs hosts — off this machine and non-public networks; otherwise a tenant could aim a
 * provider at the admin port, PostgreSQL or a cloud metadata address. Checked at send time, on every
 * address the host resolves to. Disabled by {@code delivery.allowPrivateNetworks} (tests, and
 * deployments whose providers live on a private network). Limitation: the client resolves the name
 * again, so a DNS answer that changes in between (rebinding) is not caught.
 *
 * <p>Refused: every IPv4 special-purpose block that is not globally reachable (RFC 6890 and its
 * updates: this-network 0/8, private 10/8, 172.16/12, 192.168/16, CGNAT 100.64/10, loopback 127/8,
 * link-local 169.254/16, IETF protocol assignments 192.0.0/24, documentation nets, 6to4 relay
 * 192.88.99/24, benchmarking 198.18/15, multicast 224/4, reserved 240/4 including the broadcast
 * address), and in IPv6 the unspecified and loopback addresses, every form that carries an IPv4
 * address or tunnels to one (IPv4-compatible ::/96, IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96 and
 * 64:ff9b:1::/48, Teredo 2001::/32, 6to4 2002::/16), discard-only 100::/64, documentation 2001:db8::/32,
 * unique-local fc00::/7, link-local fe80::/10, site-local fec0::/10 and multicast ff00::/8. A table of
 * prefixes rather than {@code InetAddress.isSiteLocalAddress()} and friends, which miss most of these.
 */
public final class NetworkGuard {
    private record Block(byte[] prefix, int bits) {
        boolean contains(byte[] a) {
            if (a.length != prefix.length) return false;
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != prefix[i]) return false;
            }
            int rest = bits % 8;
            if (rest == 0) return true;
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (prefix[full] & mask);
        }
    }

    private static final List<Block> REFUSED = List.of(
            // IPv4
            block("0.0.0.0", 8), block("10.0.0.0", 8), block("100.64.0.0", 10), block("127.0.0.0", 8),
            block("169.254.0.0", 16), block("172.16.0.0", 12), block("192.0.0.0", 24), block("192.0.2.0", 24),
            block("192.88.99.0", 24), block("192.168.0.0", 16), block("198.18.0.0", 15), block("198.51.100.0", 24),
            block("203.0.113.0", 24), block("224.0.0.0", 4), block("240.0.0.0", 4),
            // IPv6
            block("::", 96),              // unspecified, loopback and IPv4-compatible (deprecated)
            block("::ffff:0:0", 96),      // IPv4-mapped (when not already turned into IPv4 by the resolver)
            block("64:ff9b::", 96),       // NAT64 well-known prefix
            block("64:ff9b:1::", 48),     // NAT64 local-use
            block("100::", 64),           // discard-only
            block("2001::", 32),          // Teredo
            block("2001:db8::", 32),      // documentation
            block("2002::", 16),          // 6to4
            block("fc00::", 7),           // unique local
            block("fe80::", 10),          // link-local
            block("fec0::", 10),          // site-local (deprecated)
            block("ff00::", 8));          // multicast

    private static Block block(String literal, int bits) {
        try {
            byte[] b = InetAddress.getByName(literal).getAddress();
            if (literal.startsWith("::ffff:")) { // the resolver turns ::ffff:0:0 into 0.0.0.0: build the prefix by hand
                b = new byte[16];
                b[10] = (byte) 0xff;
                b[11] = (byte) 0xff;
            }
            return new Block(b, bits);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

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
        return checkHost(host);
    }

    /**
     * Null when a connection to {@code host} (a name or an address literal, IPv6 with or without
     * brackets) may be made; otherwise why not. Used as is by the non-HTTP senders (SMTP, APNs).
     */
    public String checkHost(String host) {
        if (allowPrivate) return null;
        if (host == null || host.isBlank()) return "The destination has no host.";
        InetAddress[] addrs;
        try {
            addrs = InetAddress.getAllByName(host.trim());
        } catch (UnknownHostException e) {
            return null; // the connection itself will fail (transient)
        }
        for (InetAddress a : addrs) {
            if (isPrivate(a)) {
                return "Destination " + host + " resolves to a loopback, private, link-local or reserved address ("
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
        for (Block block : REFUSED) {
            if (block.contains(b)) return true;
        }
        return false;
    }
}
