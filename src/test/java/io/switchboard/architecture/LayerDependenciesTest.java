package io.switchboard.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.switchboard.auth.AuthDialect;
import io.switchboard.errors.Dialect;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layer rules of docs/architecture.md, checked on the compiled main classes (ArchUnit): a change
 * that makes a layer import one it must not fails here, naming the offending class and dependency.
 */
class LayerDependenciesTest {
    static JavaClasses main;

    /** The DAO interfaces themselves (their row records, still used as read models by some resources, are not). */
    static final DescribedPredicate<JavaClass> DAO_INTERFACES = new DescribedPredicate<>("DAO interfaces of db/") {
        @Override
        public boolean test(JavaClass c) {
            return c.getPackageName().equals("io.switchboard.db") && c.isInterface() && !c.isNestedClass();
        }
    };

    @BeforeAll
    static void importMain() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.switchboard");
    }

    @Test
    void coreKnowsNoEdgeNorDelivery() {
        noClasses().that().resideInAPackage("io.switchboard.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.switchboard.resources..", "io.switchboard.http..",
                        "io.switchboard.auth..", "io.switchboard.api..", "io.switchboard.delivery..",
                        "io.switchboard.portal..", "io.switchboard.jsonapi..", "io.switchboard.cli..", "io.switchboard.health..")
                .because("core is the use-case layer every dialect calls; it never knows which one did")
                .check(main);
    }

    @Test
    void resourcesNeverTouchTheDatabaseOrTheUnitOfWork() {
        noClasses().that().resideInAnyPackage("io.switchboard.resources..", "io.switchboard.api..",
                        "io.switchboard.portal..")
                // the bench endpoints (off unless benchEndpoints: true) measure raw commits on purpose;
                // the portal's module wires its own members/sessions store
                .and().doNotHaveFullyQualifiedName("io.switchboard.resources.BenchResource")
                .and().doNotHaveFullyQualifiedName("io.switchboard.portal.PortalModule")
                .should().dependOnClassesThat().resideInAPackage("org.jdbi..")
                .orShould().dependOnClassesThat(DAO_INTERFACES)
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.switchboard.core.Tx")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.switchboard.core.GroupCommit")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.switchboard.core.BatchHandler")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.switchboard.core.identity.OwnerSnapshot")
                .because("core use cases own the unit of work (transaction, retries, group commit)")
                .check(main);
    }

    @Test
    void dialectResourcesDoNotImportEachOther() {
        String[][] pairs = {
            {"io.switchboard.resources.klaviyo..", "io.switchboard.resources.parcelvoy.."},
            {"io.switchboard.resources.klaviyo..", "io.switchboard.resources.segment.."},
            {"io.switchboard.resources.parcelvoy..", "io.switchboard.resources.klaviyo.."},
            {"io.switchboard.resources.parcelvoy..", "io.switchboard.resources.segment.."},
            {"io.switchboard.resources.segment..", "io.switchboard.resources.klaviyo.."},
            {"io.switchboard.resources.segment..", "io.switchboard.resources.parcelvoy.."},
        };
        for (String[] p : pairs) {
            noClasses().that().resideInAPackage(p[0]).should().dependOnClassesThat().resideInAPackage(p[1])
                    .because("dialects never call each other").check(main);
        }
    }

    @Test
    void deliveryDependsOnCoreNotOnTheEdge() {
        noClasses().that().resideInAPackage("io.switchboard.delivery..")
                .should().dependOnClassesThat().resideInAnyPackage("io.switchboard.resources..", "io.switchboard.api..",
                        "io.switchboard.portal..")
                .because("delivery's ports live in core; resources are registered by the one wiring root")
                .check(main);
    }

    /**
     * No package cycles among the top-level packages ({@code io.switchboard.(*)..}). The one accepted
     * back-edge is {@code db → core}: DAOs map rows into core's records (Profile, Company, Campaign…) that
     * core's services return; core calls the DAOs.
     */
    @Test
    void topLevelPackagesAreFreeOfCycles() {
        com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices()
                .matching("io.switchboard.(*)..")
                .should().beFreeOfCycles()
                .ignoreDependency(com.tngtech.archunit.base.DescribedPredicate.describe("DAOs of db/",
                                (JavaClass c) -> c.getPackageName().startsWith("io.switchboard.db")),
                        com.tngtech.archunit.base.DescribedPredicate.describe("core's records",
                                (JavaClass c) -> c.getPackageName().startsWith("io.switchboard.core")))
                .because("a cycle means neither package can be understood, tested or moved without the other")
                .check(main);
    }

    /** Registration calls on Dropwizard's environment: "owner class#method". */
    static final java.util.Set<String> REGISTRATIONS = java.util.Set.of(
            "io.dropwizard.jersey.setup.JerseyEnvironment#register",
            "io.dropwizard.lifecycle.setup.LifecycleEnvironment#manage",
            "com.codahale.metrics.health.HealthCheckRegistry#register",
            "io.dropwizard.core.setup.AdminEnvironment#addTask");

    /**
     * One composition root: only {@code SwitchboardApplication} registers Jersey components, managed
     * objects, health checks and admin tasks; modules construct and return them. (Jetty-level plumbing —
     * the admin-port servlet filter, the body-gate handler, server lifecycle listeners — is not covered.)
     */
    @Test
    void onlyTheCompositionRootRegisters() {
        noClasses().that(new DescribedPredicate<>("are outside SwitchboardApplication") {
                    @Override
                    public boolean test(JavaClass c) {
                        String n = c.getName();
                        return !n.equals("io.switchboard.SwitchboardApplication") && !n.startsWith("io.switchboard.SwitchboardApplication$");
                    }
                })
                .should().callMethodWhere(new DescribedPredicate<>("register a Jersey component, a managed object, a health check or a task") {
                    @Override
                    public boolean test(com.tngtech.archunit.core.domain.JavaMethodCall call) {
                        return REGISTRATIONS.contains(call.getTargetOwner().getName() + "#" + call.getName());
                    }
                })
                .because("modules only construct; the one wiring root registers (docs/architecture.md)")
                .check(main);
    }

    /**
     * Identifier ownership and profile rows change only through {@code core/identity/IdentifierWrites}, which is built from the
     * unit of work's {@code OwnerSnapshot} and records into it what each write touches; nothing else records
     * touches (so the marks and the writes cannot drift apart).
     */
    @Test
    void identifierOwnershipChangesOnlyThroughTheWrapperThatRecordsTouches() {
        java.util.Set<String> writes = java.util.Set.of("claim", "release", "moveIdentifier", "moveAnonymousIds",
                "tombstone", "delete", "deleteHistory", "update", "create");
        noClasses().that().doNotHaveFullyQualifiedName("io.switchboard.core.identity.IdentifierWrites")
                .should().callMethodWhere(new DescribedPredicate<>("ProfileDao ownership writes") {
                    @Override
                    public boolean test(com.tngtech.archunit.core.domain.JavaMethodCall call) {
                        return call.getTargetOwner().getFullName().equals("io.switchboard.db.ProfileDao")
                                && writes.contains(call.getName());
                    }
                })
                .orShould().callMethodWhere(new DescribedPredicate<>("OwnerSnapshot.touched") {
                    @Override
                    public boolean test(com.tngtech.archunit.core.domain.JavaMethodCall call) {
                        return call.getTargetOwner().getFullName().equals("io.switchboard.core.identity.OwnerSnapshot")
                                && call.getName().equals("touched");
                    }
                })
                .because("a write that forgets to mark what it touched lets a batch answer from a stale snapshot")
                .check(main);
    }

    /** Every resource's {@code @AuthDialect} (credentials) agrees with {@code Dialect.forPath} (error shape) for each of its paths. */
    @Test
    void everyResourcesAuthDialectAgreesWithTheDialectOfItsPaths() throws Exception {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (JavaClass jc : main) {
            if (!jc.isAnnotatedWith(AuthDialect.class) || !jc.isAnnotatedWith(Path.class)) continue;
            Class<?> c = Class.forName(jc.getName());
            Dialect declared = c.getAnnotation(AuthDialect.class).value();
            String base = c.getAnnotation(Path.class).value();
            List<String> paths = new ArrayList<>();
            for (Method m : c.getMethods()) {
                Path mp = m.getAnnotation(Path.class);
                if (mp != null) paths.add(join(base, mp.value()));
            }
            if (paths.isEmpty() || java.util.Arrays.stream(c.getMethods()).anyMatch(m -> m.getAnnotation(Path.class) == null
                    && java.util.stream.Stream.of(jakarta.ws.rs.GET.class, jakarta.ws.rs.POST.class, jakarta.ws.rs.PATCH.class,
                            jakarta.ws.rs.PUT.class, jakarta.ws.rs.DELETE.class).anyMatch(m::isAnnotationPresent))) {
                paths.add(base);   // a method served at the class's own path
            }
            for (String p : paths) {
                String concrete = p.replaceAll("\\{[^}]*}", "x");
                Dialect byPath = Dialect.forPath(concrete);
                checked++;
                // admin credentials may also serve a company's own key (adminOrKeys): same error shape
                if (byPath != declared) wrong.add(c.getSimpleName() + " " + p + ": @AuthDialect " + declared + ", forPath " + byPath);
            }
        }
        assertThat(checked).as("resources found").isGreaterThan(15);
        assertThat(wrong).as("@AuthDialect vs Dialect.forPath").isEmpty();
    }

    private static String join(String base, String sub) {
        String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return b + (sub.startsWith("/") ? sub : "/" + sub);
    }
}
