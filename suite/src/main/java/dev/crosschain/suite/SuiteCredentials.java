package dev.crosschain.suite;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The secrets of one run of the suite, fresh each run: an adapter credential per chain and the bearer tokens of the
 * callers collateral-service knows (margin-service, liquidation-service, an operator).
 */
public record SuiteCredentials(Map<String, String> adapters, String marginToken, String liquidationToken,
                               String operatorToken) {

    /** The chains of the local registry. */
    public static final List<String> CHAINS = List.of("ethereum", "arbitrum", "solana");

    public static SuiteCredentials random() {
        SecureRandom random = new SecureRandom();
        Map<String, String> adapters = new LinkedHashMap<>();
        CHAINS.forEach(chain -> adapters.put(chain, secret(random)));
        return new SuiteCredentials(Map.copyOf(adapters), secret(random), secret(random), secret(random));
    }

    public String adapter(String chainId) {
        String credential = adapters.get(chainId);
        if (credential == null) {
            throw new IllegalArgumentException("no adapter credential for chain " + chainId);
        }
        return credential;
    }

    /** collateral-service's environment: every credential and what each caller may do. */
    Map<String, String> collateralEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        adapters.forEach((chain, secret) -> env.put("COLLATERAL_AUTH_ADAPTERS_" + chain.toUpperCase(Locale.ROOT), secret));
        caller(env, "MARGIN", marginToken, "LOCK_WITHDRAWAL");
        caller(env, "LIQUIDATION", liquidationToken, "TRANSFER");
        caller(env, "OPERATOR", operatorToken, "OPERATE");
        return env;
    }

    private static void caller(Map<String, String> env, String name, String token, String rights) {
        env.put("COLLATERAL_AUTH_CALLERS_" + name + "_TOKEN", token);
        env.put("COLLATERAL_AUTH_CALLERS_" + name + "_RIGHTS", rights);
    }

    private static String secret(SecureRandom random) {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
