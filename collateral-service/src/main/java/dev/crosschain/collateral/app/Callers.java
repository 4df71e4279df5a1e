package dev.crosschain.collateral.app;

import dev.crosschain.collateral.domain.Caller;
import dev.crosschain.collateral.domain.ChainSpec;
import dev.crosschain.collateral.domain.PermissionDeniedException;
import dev.crosschain.collateral.domain.Right;
import dev.crosschain.collateral.domain.UnauthenticatedException;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Who may do what: adapters by their chain's credential, other callers by bearer token. Secrets are compared in
 * constant time; a refusal never says which secret was expected.
 */
@ApplicationScoped
public class Callers {

    public static final String MISSING_CREDENTIAL = "MISSING_CREDENTIAL";
    public static final String WRONG_CHAIN_CREDENTIAL = "WRONG_CHAIN_CREDENTIAL";

    private final Map<String, String> adapterCredentials;
    private final Map<String, Token> tokens;

    private record Token(String secret, Caller caller) {
    }

    public Callers(CollateralConfig config) {
        this.adapterCredentials = new TreeMap<>(config.auth().adapters());
        requireDistinctAdapterCredentials(adapterCredentials);
        this.tokens = new TreeMap<>();
        config.auth().callers().forEach((name, c) -> {
            Set<Right> rights = EnumSet.noneOf(Right.class);
            c.rights().forEach(r -> rights.add(Right.valueOf(r.trim())));
            if (c.token().isBlank()) {
                throw new IllegalArgumentException("caller " + name + ": empty token");
            }
            tokens.put(name, new Token(c.token(), new Caller(name, rights)));
        });
    }

    /**
     * One credential per chain: a credential shared by two chains would let one chain's adapter speak for the other
     * (and makes "another chain's credential" ambiguous). Refused at start, naming the chains, never the secret.
     */
    private static void requireDistinctAdapterCredentials(Map<String, String> byChain) {
        Map<String, String> chainOfSecret = new java.util.HashMap<>();
        byChain.forEach((chain, secret) -> {
            if (secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException("adapter credential of chain " + chain + " is empty");
            }
            String other = chainOfSecret.putIfAbsent(secret, chain);
            if (other != null) {
                throw new IllegalArgumentException("chains " + other + " and " + chain
                        + " are configured with the same adapter credential: each chain needs its own");
            }
        });
    }

    /**
     * Checks an adapter's hello: no credential or one no chain has is UNAUTHENTICATED MISSING_CREDENTIAL; another
     * chain's credential (or any credential for a chain that has none configured) is PERMISSION_DENIED
     * WRONG_CHAIN_CREDENTIAL.
     */
    public void requireAdapter(ChainSpec chain, String credential) {
        if (credential == null || credential.isEmpty()) {
            throw new UnauthenticatedException(MISSING_CREDENTIAL, "the hello carries no credential");
        }
        String expected = adapterCredentials.get(chain.id());
        if (expected != null && same(expected, credential)) {
            return;
        }
        boolean known = adapterCredentials.values().stream().anyMatch(c -> same(c, credential));
        if (!known) {
            throw new UnauthenticatedException(MISSING_CREDENTIAL, "the credential is not known");
        }
        throw new PermissionDeniedException(WRONG_CHAIN_CREDENTIAL, "the credential does not speak for chain " + chain.id());
    }

    /**
     * The caller holding {@code bearerToken} if it has {@code right}: no or unknown token is UNAUTHENTICATED
     * MISSING_CREDENTIAL, a token without the right is PERMISSION_DENIED NOT_ALLOWED.
     */
    public Caller require(String bearerToken, Right right, String rpc) {
        if (bearerToken == null || bearerToken.isEmpty()) {
            throw new UnauthenticatedException(MISSING_CREDENTIAL, rpc + " needs a credential (authorization: Bearer <token>)");
        }
        for (Token token : tokens.values()) {
            if (same(token.secret(), bearerToken)) {
                return token.caller().require(right, rpc);
            }
        }
        throw new UnauthenticatedException(MISSING_CREDENTIAL, "the credential is not known");
    }

    private static boolean same(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
}
