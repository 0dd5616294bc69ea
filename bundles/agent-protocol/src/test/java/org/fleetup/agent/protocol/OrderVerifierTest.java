package org.fleetup.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.fleetup.agent.protocol.Refusal.Reason;
import org.junit.jupiter.api.Test;

class OrderVerifierTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    // Dotted numbers, enough for the tests; the agent uses the product's scheme.
    private static final Comparator<String> VERSIONS = Comparator.comparing(
            (String v) -> List.of(v.split("\\.")).stream().mapToInt(Integer::parseInt).toArray(),
            java.util.Arrays::compare);

    private final KeyPair controller = OrderSigner.generateKeys();
    private final OrderSigner signer = new OrderSigner(controller.getPrivate(), controller.getPublic());
    private final OrderVerifier verifier = new OrderVerifier(
            TrustedKeys.parse(List.of("# the controller", TrustedKeys.openSshLine(controller.getPublic(), "ctl"))),
            Clock.fixed(NOW, ZoneOffset.UTC));
    private final AgentSituation situation = new AgentSituation("srv-1", "demo-app", "application",
            Optional.of("1.4.2"), 7, VERSIONS);

    private InstallOrder order(String agent, long sequence, Instant expires, String product, String kind,
                               String version, boolean forced) {
        return new InstallOrder(agent, sequence, expires, product, kind, version, forced,
                URI.create("http://127.0.0.1:8181/artifacts/demo-app-2.0.0.tar.gz"), 1234, SHA, signer.keyId(), "");
    }

    private InstallOrder good() {
        return order("srv-1", 8, NOW.plusSeconds(60), "demo-app", "application", "2.0.0", false);
    }

    private Reason refusal(String signed) {
        AgentSituation before = situation;
        Verdict verdict = verifier.verify(signed, situation);
        assertThat(situation).isEqualTo(before);
        assertThat(verdict.isAccepted()).isFalse();
        assertThat(verdict.refusal().orElseThrow().message()).isNotBlank();
        return verdict.refusal().orElseThrow().reason();
    }

    @Test
    void signedFreshAddressedNewerOrderIsAccepted() {
        Verdict verdict = verifier.verify(signer.sign(good()), situation);

        assertThat(verdict.order()).contains(good());
    }

    @Test
    void canonicalBytesAreTheDocumentedLinesInFixedOrder() {
        assertThat(new String(good().canonical(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("""
                fleetup-install-order: 1
                agent: srv-1
                sequence: 8
                expires: 2026-12-01T12:01:00Z
                product: demo-app
                kind: application
                version: 2.0.0
                forced: false
                url: http://127.0.0.1:8181/artifacts/demo-app-2.0.0.tar.gz
                length: 1234
                sha256: %s
                key: %s
                callback:\s
                """.formatted(SHA, signer.keyId()));
    }

    @Test
    void orderWithoutSignatureIsUnsigned() {
        assertThat(refusal(new String(good().canonical(), java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo(Reason.UNSIGNED);
    }

    @Test
    void orderChangedAfterSigningHasABadSignature() {
        String tampered = signer.sign(good()).replace("version: 2.0.0", "version: 2.0.1");

        assertThat(refusal(tampered)).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void orderSignedByAnotherKeyClaimingTheTrustedOneHasABadSignature() {
        KeyPair other = OrderSigner.generateKeys();
        String signed = new OrderSigner(other.getPrivate(), other.getPublic()).sign(new InstallOrder("srv-1", 8,
                NOW.plusSeconds(60), "demo-app", "application", "2.0.0", false,
                URI.create("http://127.0.0.1:8181/a"), 1, SHA, TrustedKeys.keyId(other.getPublic()), ""));
        String claiming = signed.replace(TrustedKeys.keyId(other.getPublic()), signer.keyId());

        assertThat(refusal(claiming)).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void orderSignedByAnUntrustedKeyIsRefused() {
        KeyPair other = OrderSigner.generateKeys();
        OrderSigner stranger = new OrderSigner(other.getPrivate(), other.getPublic());
        String signed = stranger.sign(new InstallOrder("srv-1", 8, NOW.plusSeconds(60), "demo-app", "application",
                "2.0.0", false, URI.create("http://127.0.0.1:8181/a"), 1, SHA, stranger.keyId(), ""));

        assertThat(refusal(signed)).isEqualTo(Reason.UNTRUSTED_KEY);
    }

    @Test
    void orderForAnotherAgentIsMisaddressed() {
        assertThat(refusal(signer.sign(order("srv-2", 8, NOW.plusSeconds(60), "demo-app", "application", "2.0.0",
                false)))).isEqualTo(Reason.MISADDRESSED);
    }

    @Test
    void orderPastItsExpiryIsExpired() {
        assertThat(refusal(signer.sign(order("srv-1", 8, NOW, "demo-app", "application", "2.0.0", false))))
                .isEqualTo(Reason.EXPIRED);
    }

    @Test
    void orderWithASequenceNotAboveTheLastAcceptedIsReplayed() {
        assertThat(refusal(signer.sign(order("srv-1", 7, NOW.plusSeconds(60), "demo-app", "application", "2.0.0",
                false)))).isEqualTo(Reason.REPLAYED);
        assertThat(refusal(signer.sign(order("srv-1", 3, NOW.plusSeconds(60), "demo-app", "application", "2.0.0",
                false)))).isEqualTo(Reason.REPLAYED);
    }

    @Test
    void orderForAnotherProductIsRefused() {
        assertThat(refusal(signer.sign(order("srv-1", 8, NOW.plusSeconds(60), "other-app", "application", "2.0.0",
                false)))).isEqualTo(Reason.WRONG_PRODUCT);
    }

    @Test
    void orderForAnotherKindIsRefused() {
        assertThat(refusal(signer.sign(order("srv-1", 8, NOW.plusSeconds(60), "demo-app", "firmware", "2.0.0",
                false)))).isEqualTo(Reason.WRONG_KIND);
    }

    @Test
    void downgradeOrSameVersionNotForcedIsNotNewer() {
        assertThat(refusal(signer.sign(order("srv-1", 8, NOW.plusSeconds(60), "demo-app", "application", "1.0.0",
                false)))).isEqualTo(Reason.NOT_NEWER);
        assertThat(refusal(signer.sign(order("srv-1", 8, NOW.plusSeconds(60), "demo-app", "application", "1.4.2",
                false)))).isEqualTo(Reason.NOT_NEWER);
    }

    @Test
    void downgradeSignedAsForcedIsAccepted() {
        InstallOrder downgrade = order("srv-1", 8, NOW.plusSeconds(60), "demo-app", "application", "1.0.0", true);

        assertThat(verifier.verify(signer.sign(downgrade), situation).order()).contains(downgrade);
    }

    @Test
    void forcedFlagCannotBeAddedAfterSigning() {
        String signed = signer.sign(order("srv-1", 8, NOW.plusSeconds(60), "demo-app", "application", "1.0.0",
                false)).replace("forced: false", "forced: true");

        assertThat(refusal(signed)).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void bodiesThatDoNotParseAreMalformed() {
        String signed = signer.sign(good());
        assertThat(refusal("")).isEqualTo(Reason.MALFORMED);
        assertThat(refusal("{\"agent\":\"srv-1\"}")).isEqualTo(Reason.MALFORMED);
        assertThat(refusal(signed.replace("sequence: 8", "sequence: 08"))).isEqualTo(Reason.MALFORMED);
        assertThat(refusal(signed.replace("agent: srv-1\n", ""))).isEqualTo(Reason.MALFORMED);
        assertThat(refusal(signed.replace("product: demo-app", "product: ../etc"))).isEqualTo(Reason.MALFORMED);
        assertThat(refusal(signed + "extra\n")).isEqualTo(Reason.MALFORMED);
        assertThat(refusal(signed.replaceAll("signature: .*", "signature: !!!"))).isEqualTo(Reason.MALFORMED);
        assertThat(refusal(signer.sign(order("srv-1", 8, NOW.plusSeconds(60), "demo-app", "application", "2.x",
                false)))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void acceptedOrderIsReadBackFromItsSignedTextWhateverTheTime() {
        String signed = signer.sign(good());

        assertThat(OrderVerifier.accepted(signed)).isEqualTo(good());
        assertThatThrownBy(() -> OrderVerifier.accepted(new String(good().canonical(),
                java.nio.charset.StandardCharsets.UTF_8))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void trustFileListsItsKeysInOrder() {
        KeyPair second = OrderSigner.generateKeys();
        TrustedKeys keys = TrustedKeys.parse(List.of(TrustedKeys.openSshLine(controller.getPublic(), "a"), "",
                TrustedKeys.openSshLine(second.getPublic(), "")));

        assertThat(keys.keys()).containsExactly(controller.getPublic(), second.getPublic());
    }

    @Test
    void trustFileRefusesOtherKeyTypesNamingTheLine() {
        String rsa = "ssh-rsa " + Base64.getEncoder().encodeToString(new byte[] {0, 0, 0, 7}) + " old";

        assertThatThrownBy(() -> TrustedKeys.parse(List.of("", rsa))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Line 2 of the trust file");
        assertThatThrownBy(() -> TrustedKeys.parse(List.of("ssh-ed25519 AAAA broken")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Line 1 of the trust file");
    }

    @Test
    void keyIdIsTheOpenSshFingerprintOfAnOpenSshLine() throws Exception {
        // Made by ssh-keygen -t ed25519; the fingerprint is what ssh-keygen -lf printed for it.
        TrustedKeys keys = TrustedKeys.parse(List.of(
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICMXJ/SggkIH8/xc96a14ZkrnjLJDXjh5eHDbuZeSZT+ test@fleetup"));

        assertThat(keys.key("SHA256:R4X+e/L2/Yz8Wtuht9UlD51JRyoKZbrgaVz1zW3Gvmo")).isPresent();
    }

    @Test
    void privateKeyRoundTripsThroughPem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path temp)
            throws Exception {
        java.nio.file.Path file = temp.resolve("controller.key");
        java.nio.file.Files.writeString(file, OrderSigner.pkcs8Pem(controller.getPrivate()));
        OrderSigner read = new OrderSigner(OrderSigner.readPkcs8Pem(file), controller.getPublic());

        assertThat(verifier.verify(read.sign(good()), situation).order()).contains(good());
    }
}
