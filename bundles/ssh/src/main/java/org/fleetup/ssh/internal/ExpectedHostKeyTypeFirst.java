package org.fleetup.ssh.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

/**
 * Asks a server for the type of host key its record holds, as OpenSSH does from known_hosts: the signature
 * algorithms of that type go first in the connection's host-key proposal. A server with several host keys then
 * presents the recorded one, where the client's fixed preference (certificates, then ECDSA, Ed25519, RSA) would pick
 * another and refuse a healthy server as changed. The other algorithms stay, after it, so that a server which really
 * lost the recorded key is still refused with the key it shows.
 */
final class ExpectedHostKeyTypeFirst implements SessionListener {

    private static final String SEPARATOR = ",";

    @Override
    public void sessionNegotiationOptionsCreated(Session session, Map<KexProposalOption, String> proposal) {
        // Called once per connection, before its first key exchange; renewals reuse this proposal.
        if (!(session instanceof ClientSession client)) {
            return;
        }
        AttributeRepository context = client.getConnectionContext();
        HostKeyCheck check = context == null ? null : context.getAttribute(HostKeyCheck.ATTRIBUTE);
        if (check == null) {
            return;
        }
        check.expected().keyType().ifPresent(keyType -> proposal.computeIfPresent(KexProposalOption.SERVERKEYS,
                (option, offered) -> firstOfType(keyType, offered)));
    }

    /** {@code offered} (comma-separated) with the algorithms signing with {@code keyType} keys moved first. */
    static String firstOfType(String keyType, String offered) {
        Map<Boolean, List<String>> ofType = Arrays.stream(offered.split(SEPARATOR)).collect(
                Collectors.partitioningBy(algorithm -> keyType.equals(KeyUtils.getCanonicalKeyType(algorithm))));
        return Stream.concat(ofType.get(true).stream(), ofType.get(false).stream())
                .collect(Collectors.joining(SEPARATOR));
    }
}
