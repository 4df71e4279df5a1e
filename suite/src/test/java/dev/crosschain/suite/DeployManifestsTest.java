package dev.crosschain.suite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapProjection;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretProjection;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Static checks of the hand-written Kubernetes manifests under {@code deploy/base} and
 * {@code deploy/overlays/dev}: every YAML document is parsed into fabric8 model objects and the
 * cross references a cluster would only reject (or silently break on) at apply time are checked here.
 * Plain JUnit 5, no cluster, no Quarkus. Each check collects every problem and fails with all of them.
 */
class DeployManifestsTest {

    /** The directories whose manifests are deployed together (base + dev overlay). */
    private static final List<String> TREES = List.of("base", "overlays/dev");

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Spec (/tmp/suite-spec.md): service -> http port, grpc port, database, gRPC clients (name -> service). */
    private record Expected(String name, int http, int grpc, String db, int replicas, Map<String, String> clients) {}

    private static final List<Expected> EXPECTED = List.of(
            new Expected("collateral-service", 8101, 9101, "collateral", 1, Map.of("pricing", "pricing-service")),
            new Expected("pricing-service", 8102, 9102, "pricing", 2, Map.of()),
            new Expected("margin-service", 8103, 9103, "margin", 2,
                    Map.of("collateral", "collateral-service", "pricing", "pricing-service")),
            new Expected("liquidation-service", 8104, 9104, "liquidation", 1,
                    Map.of("margin", "margin-service", "collateral", "collateral-service", "pricing", "pricing-service")));

    private static final Map<String, Integer> GRPC_PORTS = Map.of(
            "collateral-service", 9101, "pricing-service", 9102, "margin-service", 9103, "liquidation-service", 9104);

    /** One parsed YAML document and the file it came from. */
    private record Manifest(Path file, HasMetadata resource) {
        String where() {
            return resource.getKind() + "/" + resource.getMetadata().getName() + " (" + file.getFileName() + ")";
        }
    }

    /** A workload (Deployment or StatefulSet) reduced to what the checks need. */
    private record Workload(Manifest manifest, PodTemplateSpec template, Map<String, String> selector) {
        String where() {
            return manifest.where();
        }

        Map<String, String> podLabels() {
            Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
            return labels == null ? Map.of() : labels;
        }

        PodSpec pod() {
            return template.getSpec();
        }
    }

    /** Names a kustomization makes: generated ConfigMaps and Secrets, with their keys when knowable. */
    private static final class Generated {
        final Map<String, Set<String>> configMaps = new LinkedHashMap<>();
        final Map<String, Set<String>> secrets = new LinkedHashMap<>();
    }

    private static Path deployDir;
    private static List<Path> manifestFiles;
    private static List<Path> kustomizationFiles;
    private static List<Manifest> manifests;
    private static Generated generated;

    @BeforeAll
    static void load() throws IOException {
        deployDir = findDeployDir();
        manifestFiles = new ArrayList<>();
        kustomizationFiles = new ArrayList<>();
        for (String tree : TREES) {
            Path root = deployDir.resolve(tree);
            assertThat(root).as("deploy tree %s", root).isDirectory();
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(Files::isRegularFile)
                        .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                        .sorted()
                        .forEach(p -> (isKustomization(p) ? kustomizationFiles : manifestFiles).add(p));
            }
        }
        manifests = new ArrayList<>();
        for (Path file : manifestFiles) {
            manifests.addAll(parse(file));
        }
        generated = new Generated();
        for (Path kustomization : kustomizationFiles) {
            readGenerators(kustomization, generated);
        }
        assertThat(manifests).as("manifests under %s", deployDir).isNotEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // Checks

    @Test
    void everyKustomizationResourceExistsAndEveryManifestIsListed() throws IOException {
        List<String> problems = new ArrayList<>();
        Set<Path> listed = new LinkedHashSet<>();
        for (Path kustomization : kustomizationFiles) {
            JsonNode k = YAML.readTree(kustomization.toFile());
            for (String field : List.of("resources", "components", "patchesStrategicMerge")) {
                for (JsonNode entry : k.path(field)) {
                    String ref = entry.asText();
                    if (ref.contains("://") || ref.startsWith("github.com/")) {
                        problems.add(rel(kustomization) + ": remote " + field + " entry '" + ref
                                + "' is not allowed (manifests are the single source of truth in this repo)");
                        continue;
                    }
                    Path target = kustomization.getParent().resolve(ref).normalize();
                    if (Files.isDirectory(target)) {
                        if (!isKustomizationDir(target)) {
                            problems.add(rel(kustomization) + ": " + field + " entry '" + ref
                                    + "' is a directory without kustomization.yaml");
                        }
                    } else if (Files.isRegularFile(target)) {
                        listed.add(target);
                    } else {
                        problems.add(rel(kustomization) + ": " + field + " entry '" + ref + "' does not exist ("
                                + target + ")");
                    }
                }
            }
            for (JsonNode patch : k.path("patches")) {
                if (patch.hasNonNull("path")) {
                    Path target = kustomization.getParent().resolve(patch.get("path").asText()).normalize();
                    if (!Files.isRegularFile(target)) {
                        problems.add(rel(kustomization) + ": patch file '" + patch.get("path").asText()
                                + "' does not exist");
                    }
                    listed.add(target);
                }
            }
            for (String gen : List.of("configMapGenerator", "secretGenerator")) {
                for (JsonNode g : k.path(gen)) {
                    for (String f : List.of("files", "envs")) {
                        for (JsonNode file : g.path(f)) {
                            String path = file.asText();
                            path = path.contains("=") ? path.substring(path.indexOf('=') + 1) : path;
                            if (!Files.isRegularFile(kustomization.getParent().resolve(path))) {
                                problems.add(rel(kustomization) + ": " + gen + " " + g.path("name").asText()
                                        + " reads missing file '" + path + "'");
                            }
                        }
                    }
                }
            }
        }
        for (Path file : manifestFiles) {
            if (!listed.contains(file.normalize())) {
                problems.add(rel(file) + " is not listed in any kustomization.yaml, so it is never deployed");
            }
        }
        assertNoProblems("kustomization references", problems);
    }

    @Test
    void everyDocumentParsesWithoutUnknownFields() {
        // fabric8 keeps fields it does not know in additionalProperties: that is where typos such as
        // "readinesProbe" or "containerport" end up, which the API server would drop or reject.
        List<String> problems = new ArrayList<>();
        for (Manifest m : manifests) {
            collectUnknownFields(m.resource(), m.where(), problems, new IdentityHashMap<>());
        }
        assertNoProblems("unknown fields (typos?)", problems);
    }

    @Test
    void workloadSelectorsMatchTheirOwnPodTemplate() {
        List<String> problems = new ArrayList<>();
        for (Workload w : workloads()) {
            if (w.selector().isEmpty()) {
                problems.add(w.where() + ": spec.selector.matchLabels is empty");
            } else if (!w.podLabels().entrySet().containsAll(w.selector().entrySet())) {
                problems.add(w.where() + ": selector " + w.selector() + " does not match its pod template labels "
                        + w.podLabels());
            }
        }
        assertNoProblems("workload selectors", problems);
    }

    @Test
    void everyServiceSelectsTheRightPods() {
        List<String> problems = new ArrayList<>();
        List<Workload> workloads = workloads();
        for (Manifest m : of(Service.class)) {
            Service svc = (Service) m.resource();
            Map<String, String> selector = svc.getSpec().getSelector();
            if (selector == null || selector.isEmpty()) {
                problems.add(m.where() + ": has no selector");
                continue;
            }
            List<Workload> selected = selectedBy(selector, workloads);
            if (selected.isEmpty()) {
                problems.add(m.where() + ": selector " + selector + " matches the pod template labels of no "
                        + "Deployment or StatefulSet; pod labels are " + workloads.stream()
                                .map(w -> w.manifest().resource().getMetadata().getName() + "=" + w.podLabels())
                                .collect(Collectors.joining(", ")));
            }
            if (selected.size() > 1) {
                problems.add(m.where() + ": selector " + selector + " matches several workloads: "
                        + selected.stream().map(Workload::where).collect(Collectors.joining(", ")));
            }
            for (ServicePort port : svc.getSpec().getPorts()) {
                IntOrString target = port.getTargetPort() != null ? port.getTargetPort()
                        : new IntOrString(port.getPort());
                for (Workload w : selected) {
                    if (!exposes(w, target)) {
                        problems.add(m.where() + ": port '" + port.getName() + "' targets "
                                + (target.getStrVal() != null ? "named port '" + target.getStrVal() + "'"
                                        : "port " + target.getIntVal())
                                + " but no container of " + w.where() + " declares it; container ports are "
                                + containerPorts(w));
                    }
                }
            }
        }
        assertNoProblems("Service selectors and target ports", problems);
    }

    @Test
    void everyContainerHasProbesAndResourceRequestsAndLimits() {
        List<String> problems = new ArrayList<>();
        for (Workload w : workloads()) {
            for (Container c : w.pod().getContainers()) {
                String where = w.where() + " container '" + c.getName() + "'";
                if (!hasHandler(c.getReadinessProbe())) {
                    problems.add(where + ": no readinessProbe");
                }
                if (!hasHandler(c.getLivenessProbe())) {
                    problems.add(where + ": no livenessProbe");
                }
                checkHttpProbePort(where, "readinessProbe", c.getReadinessProbe(), c, problems);
                checkHttpProbePort(where, "livenessProbe", c.getLivenessProbe(), c, problems);
                checkHttpProbePort(where, "startupProbe", c.getStartupProbe(), c, problems);
                checkResources(where, c.getResources(), problems);
            }
            for (Container c : nullToEmpty(w.pod().getInitContainers())) {
                checkResources(w.where() + " init container '" + c.getName() + "'", c.getResources(), problems);
            }
        }
        assertNoProblems("probes and resources", problems);
    }

    @Test
    void podsRunAsNonRoot() {
        List<String> problems = new ArrayList<>();
        for (Workload w : workloads()) {
            Boolean podLevel = w.pod().getSecurityContext() == null ? null
                    : w.pod().getSecurityContext().getRunAsNonRoot();
            for (Container c : w.pod().getContainers()) {
                Boolean containerLevel = c.getSecurityContext() == null ? null
                        : c.getSecurityContext().getRunAsNonRoot();
                boolean nonRoot = containerLevel != null ? containerLevel : Boolean.TRUE.equals(podLevel);
                if (!nonRoot) {
                    problems.add(w.where() + " container '" + c.getName() + "': runAsNonRoot is not true");
                }
                if (c.getSecurityContext() == null
                        || !Boolean.FALSE.equals(c.getSecurityContext().getAllowPrivilegeEscalation())) {
                    problems.add(w.where() + " container '" + c.getName() + "': allowPrivilegeEscalation is not false");
                }
            }
        }
        assertNoProblems("security context", problems);
    }

    @Test
    void everyReferencedConfigMapAndSecretExists() {
        Map<String, Set<String>> configMaps = new LinkedHashMap<>(generated.configMaps);
        Map<String, Set<String>> secrets = new LinkedHashMap<>(generated.secrets);
        for (Manifest m : of(ConfigMap.class)) {
            ConfigMap cm = (ConfigMap) m.resource();
            Set<String> keys = new LinkedHashSet<>();
            keys.addAll(nullToEmpty(cm.getData()).keySet());
            keys.addAll(nullToEmpty(cm.getBinaryData()).keySet());
            configMaps.put(cm.getMetadata().getName(), keys);
        }
        for (Manifest m : of(Secret.class)) {
            Secret s = (Secret) m.resource();
            Set<String> keys = new LinkedHashSet<>();
            keys.addAll(nullToEmpty(s.getData()).keySet());
            keys.addAll(nullToEmpty(s.getStringData()).keySet());
            secrets.put(s.getMetadata().getName(), keys);
        }

        List<String> problems = new ArrayList<>();
        for (Workload w : workloads()) {
            List<Container> all = new ArrayList<>(w.pod().getContainers());
            all.addAll(nullToEmpty(w.pod().getInitContainers()));
            for (Container c : all) {
                String where = w.where() + " container '" + c.getName() + "'";
                for (EnvFromSource from : nullToEmpty(c.getEnvFrom())) {
                    if (from.getConfigMapRef() != null) {
                        requireRef(where + " envFrom", "ConfigMap", configMaps, from.getConfigMapRef().getName(),
                                null, from.getConfigMapRef().getOptional(), problems);
                    }
                    if (from.getSecretRef() != null) {
                        requireRef(where + " envFrom", "Secret", secrets, from.getSecretRef().getName(), null,
                                from.getSecretRef().getOptional(), problems);
                    }
                }
                for (EnvVar env : nullToEmpty(c.getEnv())) {
                    if (env.getValueFrom() == null) {
                        continue;
                    }
                    var cmRef = env.getValueFrom().getConfigMapKeyRef();
                    if (cmRef != null) {
                        requireRef(where + " env " + env.getName(), "ConfigMap", configMaps, cmRef.getName(),
                                cmRef.getKey(), cmRef.getOptional(), problems);
                    }
                    var secretRef = env.getValueFrom().getSecretKeyRef();
                    if (secretRef != null) {
                        requireRef(where + " env " + env.getName(), "Secret", secrets, secretRef.getName(),
                                secretRef.getKey(), secretRef.getOptional(), problems);
                    }
                }
            }
            for (Volume v : nullToEmpty(w.pod().getVolumes())) {
                String where = w.where() + " volume '" + v.getName() + "'";
                if (v.getConfigMap() != null) {
                    requireRef(where, "ConfigMap", configMaps, v.getConfigMap().getName(), null,
                            v.getConfigMap().getOptional(), problems);
                }
                if (v.getSecret() != null) {
                    requireRef(where, "Secret", secrets, v.getSecret().getSecretName(), null,
                            v.getSecret().getOptional(), problems);
                }
                if (v.getProjected() != null) {
                    for (VolumeProjection p : nullToEmpty(v.getProjected().getSources())) {
                        ConfigMapProjection cmp = p.getConfigMap();
                        if (cmp != null) {
                            requireRef(where, "ConfigMap", configMaps, cmp.getName(), null, cmp.getOptional(), problems);
                        }
                        SecretProjection sp = p.getSecret();
                        if (sp != null) {
                            requireRef(where, "Secret", secrets, sp.getName(), null, sp.getOptional(), problems);
                        }
                    }
                }
            }
            // Every volumeMount names a volume of the pod.
            Set<String> volumes = nullToEmpty(w.pod().getVolumes()).stream().map(Volume::getName)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
            if (w.manifest().resource() instanceof StatefulSet sts && sts.getSpec().getVolumeClaimTemplates() != null) {
                sts.getSpec().getVolumeClaimTemplates().forEach(t -> volumes.add(t.getMetadata().getName()));
            }
            for (Container c : w.pod().getContainers()) {
                nullToEmpty(c.getVolumeMounts()).stream().filter(vm -> !volumes.contains(vm.getName()))
                        .forEach(vm -> problems.add(w.where() + " container '" + c.getName() + "': volumeMount '"
                                + vm.getName() + "' names no volume; volumes are " + volumes));
            }
        }
        assertNoProblems("ConfigMap/Secret references", problems);
    }

    @Test
    void autoscalersAndDisruptionBudgetsPointAtExistingWorkloads() {
        List<String> problems = new ArrayList<>();
        List<Workload> workloads = workloads();
        for (Manifest m : of(HorizontalPodAutoscaler.class)) {
            HorizontalPodAutoscaler hpa = (HorizontalPodAutoscaler) m.resource();
            var ref = hpa.getSpec().getScaleTargetRef();
            boolean found = workloads.stream().anyMatch(w -> w.manifest().resource().getKind().equals(ref.getKind())
                    && w.manifest().resource().getMetadata().getName().equals(ref.getName()));
            if (!found) {
                problems.add(m.where() + ": scaleTargetRef " + ref.getKind() + "/" + ref.getName() + " does not exist");
            }
            if (hpa.getSpec().getMinReplicas() == null || hpa.getSpec().getMinReplicas() < 2) {
                problems.add(m.where() + ": minReplicas should be at least 2 for a horizontally scaled service");
            }
        }
        for (Manifest m : of(PodDisruptionBudget.class)) {
            PodDisruptionBudget pdb = (PodDisruptionBudget) m.resource();
            Map<String, String> selector = nullToEmpty(pdb.getSpec().getSelector().getMatchLabels());
            if (selector.isEmpty() || selectedBy(selector, workloads).isEmpty()) {
                problems.add(m.where() + ": selector " + selector + " matches no workload");
            }
        }
        assertNoProblems("HPA/PDB targets", problems);
    }

    @Test
    void theFourServicesAreDeployedWithThePortsDatabasesAndClientsOfTheSpec() {
        List<String> problems = new ArrayList<>();
        Map<String, ConfigMap> configMaps = new LinkedHashMap<>();
        of(ConfigMap.class).forEach(m -> configMaps.put(m.resource().getMetadata().getName(), (ConfigMap) m.resource()));

        for (Expected e : EXPECTED) {
            Deployment d = named(Deployment.class, e.name());
            if (d == null) {
                problems.add("Deployment/" + e.name() + " is missing");
                continue;
            }
            String where = "Deployment/" + e.name();
            Map<String, String> labels = nullToEmpty(d.getSpec().getTemplate().getMetadata().getLabels());
            if (!e.name().equals(labels.get("app.kubernetes.io/name"))
                    || !"crosschain-margin".equals(labels.get("app.kubernetes.io/part-of"))) {
                problems.add(where + ": pod labels " + labels + " lack app.kubernetes.io/name=" + e.name()
                        + " / app.kubernetes.io/part-of=crosschain-margin");
            }
            if (!Objects.equals(d.getSpec().getReplicas(), e.replicas())) {
                problems.add(where + ": replicas " + d.getSpec().getReplicas() + ", expected " + e.replicas());
            }
            List<Container> containers = d.getSpec().getTemplate().getSpec().getContainers();
            if (containers.size() != 1) {
                problems.add(where + ": expected exactly one container, found " + containers.size());
                continue;
            }
            Container c = containers.get(0);
            if (!("ghcr.io/crosschain/" + e.name() + ":0.1.0").equals(c.getImage())) {
                problems.add(where + ": image " + c.getImage() + ", expected ghcr.io/crosschain/" + e.name() + ":0.1.0");
            }
            Map<String, Integer> ports = nullToEmpty(c.getPorts()).stream()
                    .filter(p -> p.getName() != null)
                    .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort, (a, b) -> a));
            if (!Map.of("http", e.http(), "grpc", e.grpc()).equals(ports)) {
                problems.add(where + ": container ports " + ports + ", expected {http=" + e.http() + ", grpc="
                        + e.grpc() + "}");
            }
            checkHttpGet(where, "readinessProbe", c.getReadinessProbe(), "/q/health/ready", problems);
            checkHttpGet(where, "livenessProbe", c.getLivenessProbe(), "/q/health/live", problems);

            // Environment as the container will see it: envFrom ConfigMaps, then env (secret refs by name).
            Map<String, String> env = new LinkedHashMap<>();
            for (EnvFromSource from : nullToEmpty(c.getEnvFrom())) {
                if (from.getConfigMapRef() != null && configMaps.containsKey(from.getConfigMapRef().getName())) {
                    env.putAll(nullToEmpty(configMaps.get(from.getConfigMapRef().getName()).getData()));
                }
            }
            for (EnvVar v : nullToEmpty(c.getEnv())) {
                if (v.getValue() != null) {
                    env.put(v.getName(), v.getValue());
                } else if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null) {
                    env.put(v.getName(), "secret:" + v.getValueFrom().getSecretKeyRef().getName() + "/"
                            + v.getValueFrom().getSecretKeyRef().getKey());
                } else if (v.getValueFrom() != null && v.getValueFrom().getConfigMapKeyRef() != null) {
                    var ref = v.getValueFrom().getConfigMapKeyRef();
                    ConfigMap cm = configMaps.get(ref.getName());
                    env.put(v.getName(), cm == null ? null : nullToEmpty(cm.getData()).get(ref.getKey()));
                }
            }
            Map<String, String> expectedEnv = new LinkedHashMap<>();
            expectedEnv.put("QUARKUS_HTTP_PORT", String.valueOf(e.http()));
            expectedEnv.put("QUARKUS_GRPC_SERVER_PORT", String.valueOf(e.grpc()));
            expectedEnv.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://postgres:5432/" + e.db());
            if (ServiceSpec.byClientName(e.db()).reactiveDatabase()) {
                expectedEnv.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://postgres:5432/" + e.db());
            }
            expectedEnv.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
            expectedEnv.put("QUARKUS_DATASOURCE_PASSWORD", "secret:crosschain-db/password");
            e.clients().forEach((client, upstream) -> {
                expectedEnv.put("QUARKUS_GRPC_CLIENTS_" + client.toUpperCase() + "_HOST", upstream);
                expectedEnv.put("QUARKUS_GRPC_CLIENTS_" + client.toUpperCase() + "_PORT",
                        String.valueOf(GRPC_PORTS.get(upstream)));
            });
            expectedEnv.forEach((k, v) -> {
                if (!v.equals(env.get(k))) {
                    problems.add(where + ": env " + k + "=" + env.get(k) + ", expected " + v);
                }
            });
            env.keySet().stream().filter(k -> k.startsWith("QUARKUS_GRPC_CLIENTS_") && !expectedEnv.containsKey(k))
                    .forEach(k -> problems.add(where + ": unexpected gRPC client setting " + k
                            + " (the spec's clients are " + e.clients().keySet() + ")"));

            Service svc = named(Service.class, e.name());
            if (svc == null) {
                problems.add("Service/" + e.name() + " is missing");
            } else {
                Map<String, Integer> svcPorts = svc.getSpec().getPorts().stream()
                        .collect(Collectors.toMap(ServicePort::getName, ServicePort::getPort, (a, b) -> a));
                if (!Map.of("http", e.http(), "grpc", e.grpc()).equals(svcPorts)) {
                    problems.add("Service/" + e.name() + ": ports " + svcPorts + ", expected {http=" + e.http()
                            + ", grpc=" + e.grpc() + "}");
                }
            }
        }
        List<String> deployments = of(Deployment.class).stream().map(m -> m.resource().getMetadata().getName())
                .collect(Collectors.toList());
        assertThat(deployments).as("Deployments under deploy/")
                .containsExactlyInAnyOrderElementsOf(EXPECTED.stream().map(Expected::name).toList());
        assertNoProblems("the four services", problems);
    }

    @Test
    void devOverlayProvidesPostgresWithTheFourDatabases() {
        List<String> problems = new ArrayList<>();
        StatefulSet pg = named(StatefulSet.class, "postgres");
        Service svc = named(Service.class, "postgres");
        if (pg == null) {
            problems.add("StatefulSet/postgres is missing");
        } else {
            Container c = pg.getSpec().getTemplate().getSpec().getContainers().get(0);
            if (c.getImage() == null || !c.getImage().startsWith("postgres:15")) {
                problems.add("StatefulSet/postgres: image " + c.getImage() + ", expected postgres:15");
            }
            if (nullToEmpty(pg.getSpec().getVolumeClaimTemplates()).isEmpty()) {
                problems.add("StatefulSet/postgres: no volumeClaimTemplates");
            }
            for (Probe p : new Probe[] {c.getReadinessProbe(), c.getLivenessProbe()}) {
                if (p == null || p.getExec() == null || !String.join(" ", p.getExec().getCommand()).contains("pg_isready")) {
                    problems.add("StatefulSet/postgres: readiness/liveness probes should run pg_isready");
                }
            }
            if (svc != null && !"postgres".equals(pg.getSpec().getServiceName())) {
                problems.add("StatefulSet/postgres: serviceName " + pg.getSpec().getServiceName() + ", expected postgres");
            }
        }
        if (svc == null) {
            problems.add("Service/postgres is missing");
        } else if (!"None".equals(svc.getSpec().getClusterIP())) {
            problems.add("Service/postgres should be headless (clusterIP: None)");
        }
        String initSql = of(ConfigMap.class).stream().map(m -> (ConfigMap) m.resource())
                .flatMap(cm -> nullToEmpty(cm.getData()).values().stream())
                .collect(Collectors.joining("\n"));
        for (Expected e : EXPECTED) {
            if (!initSql.matches("(?is).*CREATE DATABASE\\s+\"?" + e.db() + "\"?\\s*;.*")) {
                problems.add("no ConfigMap creates database '" + e.db() + "'");
            }
        }
        assertNoProblems("dev PostgreSQL", problems);
    }

    /**
     * If kubectl is installed, the two kustomizations must render, and the rendered output (generated
     * names with hash suffixes, namespace applied) must still pass the reference checks.
     */
    @Test
    void kustomizeRendersBothTreesWhenKubectlIsAvailable() throws Exception {
        Path kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(dir -> Path.of(dir, "kubectl")).filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(kubectl != null, "kubectl not on PATH; rendering is checked by hand");
        for (String tree : TREES) {
            Process p = new ProcessBuilder(kubectl.toString(), "kustomize", deployDir.resolve(tree).toString())
                    .redirectErrorStream(true).start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("kubectl kustomize %s finished", tree).isTrue();
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                fail("kubectl kustomize " + tree + " failed:\n" + text);
            }
            if (tree.equals("overlays/dev")) {
                List<HasMetadata> rendered = toResources(SERIALIZATION.unmarshal(text));
                Set<String> names = rendered.stream()
                        .filter(r -> r instanceof ConfigMap || r instanceof Secret)
                        .map(r -> r.getKind() + "/" + r.getMetadata().getName()).collect(Collectors.toSet());
                List<String> problems = new ArrayList<>();
                for (HasMetadata r : rendered) {
                    PodSpec pod = r instanceof Deployment d ? d.getSpec().getTemplate().getSpec()
                            : r instanceof StatefulSet s ? s.getSpec().getTemplate().getSpec() : null;
                    if (pod == null) {
                        continue;
                    }
                    for (Container c : pod.getContainers()) {
                        for (EnvFromSource f : nullToEmpty(c.getEnvFrom())) {
                            if (f.getConfigMapRef() != null && !names.contains("ConfigMap/" + f.getConfigMapRef().getName())) {
                                problems.add("rendered " + r.getKind() + "/" + r.getMetadata().getName()
                                        + " envFrom ConfigMap/" + f.getConfigMapRef().getName() + " is not rendered");
                            }
                        }
                        for (EnvVar v : nullToEmpty(c.getEnv())) {
                            if (v.getValueFrom() != null && v.getValueFrom().getSecretKeyRef() != null
                                    && !names.contains("Secret/" + v.getValueFrom().getSecretKeyRef().getName())) {
                                problems.add("rendered " + r.getKind() + "/" + r.getMetadata().getName() + " env "
                                        + v.getName() + " -> Secret/" + v.getValueFrom().getSecretKeyRef().getName()
                                        + " is not rendered (generator name not rewritten?)");
                            }
                        }
                    }
                }
                assertNoProblems("rendered dev overlay", problems);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    private static Path findDeployDir() {
        // Surefire runs in suite/, an IDE may run in the repository root: walk up until deploy/ is found.
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("deploy");
            if (Files.isRegularFile(candidate.resolve("base/kustomization.yaml"))) {
                return candidate.normalize();
            }
        }
        throw new AssertionError("no deploy/base/kustomization.yaml found above " + System.getProperty("user.dir"));
    }

    private static boolean isKustomization(Path p) {
        String n = p.getFileName().toString();
        return n.equals("kustomization.yaml") || n.equals("kustomization.yml") || n.equals("Kustomization");
    }

    private static boolean isKustomizationDir(Path dir) {
        return Files.isRegularFile(dir.resolve("kustomization.yaml")) || Files.isRegularFile(dir.resolve("kustomization.yml"))
                || Files.isRegularFile(dir.resolve("Kustomization"));
    }

    private static List<Manifest> parse(Path file) {
        Object parsed;
        try (InputStream in = Files.newInputStream(file)) {
            parsed = SERIALIZATION.unmarshal(in);
        } catch (Exception e) {
            throw new AssertionError(rel(file) + " does not parse as Kubernetes YAML: " + e.getMessage(), e);
        }
        List<Manifest> out = new ArrayList<>();
        for (HasMetadata r : toResources(parsed)) {
            if (r.getMetadata() == null || r.getMetadata().getName() == null) {
                throw new AssertionError(rel(file) + ": a " + r.getKind() + " has no metadata.name");
            }
            out.add(new Manifest(file, r));
        }
        if (out.isEmpty()) {
            throw new AssertionError(rel(file) + " holds no Kubernetes resource");
        }
        return out;
    }

    private static List<HasMetadata> toResources(Object parsed) {
        List<HasMetadata> out = new ArrayList<>();
        if (parsed == null) {
            return out;
        }
        if (parsed instanceof KubernetesList list) {
            out.addAll(list.getItems());
        } else if (parsed instanceof Collection<?> many) {
            for (Object o : many) {
                out.addAll(toResources(o));
            }
        } else if (parsed instanceof HasMetadata one) {
            out.add(one);
        } else {
            throw new AssertionError("not a Kubernetes resource: " + parsed.getClass().getName());
        }
        return out;
    }

    private static void readGenerators(Path kustomization, Generated into) throws IOException {
        JsonNode k = YAML.readTree(kustomization.toFile());
        readGenerator(k.path("configMapGenerator"), into.configMaps);
        readGenerator(k.path("secretGenerator"), into.secrets);
    }

    private static void readGenerator(JsonNode generators, Map<String, Set<String>> into) {
        for (JsonNode g : generators) {
            Set<String> keys = new LinkedHashSet<>();
            for (JsonNode literal : g.path("literals")) {
                keys.add(literal.asText().split("=", 2)[0]);
            }
            for (JsonNode file : g.path("files")) {
                String f = file.asText();
                keys.add(f.contains("=") ? f.substring(0, f.indexOf('=')) : Path.of(f).getFileName().toString());
            }
            // Keys of "envs" files are not read here: accept any key for such a generator.
            into.put(g.path("name").asText(), g.has("envs") ? null : keys);
        }
    }

    private static List<Workload> workloads() {
        List<Workload> out = new ArrayList<>();
        for (Manifest m : manifests) {
            if (m.resource() instanceof Deployment d) {
                out.add(new Workload(m, d.getSpec().getTemplate(), matchLabels(d.getSpec().getSelector())));
            } else if (m.resource() instanceof StatefulSet s) {
                out.add(new Workload(m, s.getSpec().getTemplate(), matchLabels(s.getSpec().getSelector())));
            }
        }
        return out;
    }

    private static Map<String, String> matchLabels(io.fabric8.kubernetes.api.model.LabelSelector selector) {
        return selector == null ? Map.of() : nullToEmpty(selector.getMatchLabels());
    }

    private static List<Workload> selectedBy(Map<String, String> selector, List<Workload> workloads) {
        return workloads.stream().filter(w -> w.podLabels().entrySet().containsAll(selector.entrySet())).toList();
    }

    private static boolean exposes(Workload w, IntOrString target) {
        for (Container c : w.pod().getContainers()) {
            for (ContainerPort p : nullToEmpty(c.getPorts())) {
                if (target.getStrVal() != null ? target.getStrVal().equals(p.getName())
                        : Objects.equals(target.getIntVal(), p.getContainerPort())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String containerPorts(Workload w) {
        return w.pod().getContainers().stream().flatMap(c -> nullToEmpty(c.getPorts()).stream())
                .map(p -> p.getName() + "=" + p.getContainerPort()).collect(Collectors.joining(", ", "[", "]"));
    }

    private static boolean hasHandler(Probe p) {
        return p != null && (p.getHttpGet() != null || p.getExec() != null || p.getTcpSocket() != null
                || p.getGrpc() != null);
    }

    private static void checkHttpProbePort(String where, String which, Probe p, Container c, List<String> problems) {
        if (p == null || p.getHttpGet() == null) {
            return;
        }
        IntOrString port = p.getHttpGet().getPort();
        boolean declared = port != null && nullToEmpty(c.getPorts()).stream()
                .anyMatch(cp -> port.getStrVal() != null ? port.getStrVal().equals(cp.getName())
                        : Objects.equals(port.getIntVal(), cp.getContainerPort()));
        if (!declared) {
            problems.add(where + ": " + which + " uses port " + port + " which the container does not declare");
        }
    }

    private static void checkHttpGet(String where, String which, Probe p, String path, List<String> problems) {
        if (p == null || p.getHttpGet() == null || !path.equals(p.getHttpGet().getPath())
                || !"http".equals(p.getHttpGet().getPort().getStrVal())) {
            problems.add(where + ": " + which + " should be GET " + path + " on port 'http'");
        }
    }

    private static void checkResources(String where, ResourceRequirements r, List<String> problems) {
        for (String resource : List.of("cpu", "memory")) {
            if (r == null || r.getRequests() == null || !r.getRequests().containsKey(resource)) {
                problems.add(where + ": no " + resource + " request");
            }
            if (r == null || r.getLimits() == null || !r.getLimits().containsKey(resource)) {
                problems.add(where + ": no " + resource + " limit");
            }
        }
    }

    private static void requireRef(String where, String kind, Map<String, Set<String>> known, String name, String key,
            Boolean optional, List<String> problems) {
        if (Boolean.TRUE.equals(optional)) {
            return;
        }
        if (name == null || !known.containsKey(name)) {
            problems.add(where + ": references " + kind + " '" + name + "', which is neither a manifest nor a "
                    + "kustomize generator; known: " + known.keySet());
            return;
        }
        Set<String> keys = known.get(name);
        if (key != null && keys != null && !keys.contains(key)) {
            problems.add(where + ": references key '" + key + "' of " + kind + " '" + name + "', which has only "
                    + keys);
        }
    }

    /** Walks the fabric8 model graph through its getters and reports any additionalProperties. */
    private static void collectUnknownFields(Object node, String path, List<String> problems,
            IdentityHashMap<Object, Boolean> seen) {
        if (node == null || seen.put(node, Boolean.TRUE) != null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, problems, seen));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(node);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet() + " in " + node.getClass().getSimpleName());
                }
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            collectUnknownFields(value, path + "." + field, problems, seen);
        }
    }

    private static List<Manifest> of(Class<? extends HasMetadata> type) {
        return manifests.stream().filter(m -> type.isInstance(m.resource())).toList();
    }

    private static <T extends HasMetadata> T named(Class<T> type, String name) {
        List<T> found = manifests.stream().map(Manifest::resource).filter(type::isInstance).map(type::cast)
                .filter(r -> name.equals(r.getMetadata().getName())).toList();
        assertThat(found).as("%s named %s (at most one)", type.getSimpleName(), name).hasSizeLessThanOrEqualTo(1);
        return found.isEmpty() ? null : found.get(0);
    }

    private static String rel(Path p) {
        return deployDir.getParent().relativize(p.toAbsolutePath()).toString();
    }

    private static void assertNoProblems(String what, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(what + ": " + problems.size() + " problem(s)\n  - " + String.join("\n  - ", problems));
        }
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> nullToEmpty(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
