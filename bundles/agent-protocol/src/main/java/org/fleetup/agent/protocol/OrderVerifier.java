package org.fleetup.agent.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;

import org.fleetup.agent.protocol.Refusal.Reason;

/**
 * The agent's side: decides whether a signed order ({@link OrderSigner#sign}) is one to carry out. It reads and
 * changes nothing: the caller records the accepted order's sequence before it acts. The checks, in order: the form
 * ({@link Reason#MALFORMED}), the signature line ({@link Reason#UNSIGNED}), the key ({@link Reason#UNTRUSTED_KEY}),
 * the signature ({@link Reason#BAD_SIGNATURE}), then, on the signed content only, the address, the expiry, the
 * sequence, the product, the kind and the version.
 */
public final class OrderVerifier {

    private final TrustedKeys trusted;
    private final Clock clock;

    public OrderVerifier(TrustedKeys trusted, Clock clock) {
        this.trusted = trusted;
        this.clock = clock;
    }

    public Verdict verify(String signed, AgentSituation situation) {
        int at = signed.lastIndexOf("\n" + OrderSigner.SIGNATURE);
        String body = at < 0 ? signed : signed.substring(0, at + 1);
        InstallOrder order;
        try {
            order = InstallOrder.parse(body);
        } catch (IllegalArgumentException e) {
            return Verdict.refused(Reason.MALFORMED, "The order does not parse: " + e.getMessage()
                    + ". Send it as the controller's signer writes it.");
        }
        if (at < 0) {
            return Verdict.refused(Reason.UNSIGNED, "The order carries no signature line: this agent installs only "
                    + "orders signed by a controller key in its trust file.");
        }
        String line = signed.substring(at + 1 + OrderSigner.SIGNATURE.length());
        if (!line.endsWith("\n") || line.indexOf('\n') != line.length() - 1) {
            return Verdict.refused(Reason.MALFORMED, "The signature line must be the last line, ended by a line "
                    + "break.");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(line.strip());
        } catch (IllegalArgumentException e) {
            return Verdict.refused(Reason.MALFORMED, "The signature is not Base64: " + e.getMessage() + ".");
        }
        Optional<PublicKey> key = trusted.key(order.key());
        if (key.isEmpty()) {
            return Verdict.refused(Reason.UNTRUSTED_KEY, "The order is signed by the key " + order.key()
                    + ", which this agent does not trust: add the controller's public key to its trust file.");
        }
        if (!verifies(key.get(), body.getBytes(StandardCharsets.UTF_8), signature)) {
            return Verdict.refused(Reason.BAD_SIGNATURE, "The signature does not verify with the key "
                    + order.key() + ": the order was changed after signing, or signed by another key.");
        }
        return applies(order, situation);
    }

    /**
     * The order in a signed text this agent accepted before (kept in its state), read again without the checks that
     * depend on time and sequence, to finish what a restart cut short.
     *
     * @throws IllegalArgumentException when the text is no signed order
     */
    public static InstallOrder accepted(String signed) {
        int at = signed.lastIndexOf("\n" + OrderSigner.SIGNATURE);
        if (at < 0) {
            throw new IllegalArgumentException("not a signed order");
        }
        return InstallOrder.parse(signed.substring(0, at + 1));
    }

    private Verdict applies(InstallOrder order, AgentSituation situation) {
        if (!order.agent().equals(situation.agent())) {
            return Verdict.refused(Reason.MISADDRESSED, "The order is addressed to agent " + order.agent()
                    + ", this is agent " + situation.agent() + ".");
        }
        if (!order.expires().isAfter(clock.instant())) {
            return Verdict.refused(Reason.EXPIRED, "The order expired at " + order.expires() + " (now "
                    + clock.instant() + "): have the controller send a new one.");
        }
        if (order.sequence() <= situation.lastSequence()) {
            return Verdict.refused(Reason.REPLAYED, "The order's sequence " + order.sequence()
                    + " is not higher than " + situation.lastSequence() + ", the last one this agent accepted.");
        }
        if (!order.product().equals(situation.product())) {
            return Verdict.refused(Reason.WRONG_PRODUCT, "The order is for " + order.product() + ", this agent "
                    + "installs " + situation.product() + ".");
        }
        if (!order.kind().equals(situation.kind())) {
            return Verdict.refused(Reason.WRONG_KIND, "The order is for " + order.kind() + " software, this agent "
                    + "installs " + situation.kind() + ".");
        }
        if (situation.installed().isPresent() && !order.forced()) {
            String running = situation.installed().get();
            int comparison;
            try {
                comparison = situation.versions().compare(order.version(), running);
            } catch (IllegalArgumentException e) {
                return Verdict.refused(Reason.MALFORMED, "The version " + order.version() + " cannot be compared "
                        + "with " + running + ": " + e.getMessage());
            }
            if (comparison <= 0) {
                return Verdict.refused(Reason.NOT_NEWER, "The order's version " + order.version() + " is not newer "
                        + "than " + running + ", which runs: a downgrade or a reinstall must be signed as forced.");
            }
        }
        return Verdict.accepted(order);
    }

    private static boolean verifies(PublicKey key, byte[] content, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(content);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
