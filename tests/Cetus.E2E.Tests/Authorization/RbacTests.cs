using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>
/// RBAC against a real cetus server: an authorization matrix checked through the API (403 Status bodies with
/// kube-apiserver's wording) and through the real <c>kubectl auth can-i</c>; escalation prevention, impersonation
/// and <c>kubectl auth whoami</c>.
/// </summary>
public sealed class RbacTests(RbacServerFixture fixture) : IClassFixture<RbacServerFixture>
{
    private const string Group = "rbac.authorization.k8s.io";

    /// <summary>user, verb, resource (as kubectl can-i takes it), namespace, allowed.</summary>
    public static TheoryData<string, string, string, string, bool> Matrix => new()
    {
        { "alice", "list", "pods", "team-a", true },
        { "alice", "get", "pods", "team-a", true },
        { "alice", "create", "pods", "team-a", false },
        { "alice", "list", "pods", "team-b", false },
        { "alice", "get", "secrets/visible", "team-a", true },
        { "alice", "get", "secrets/hidden", "team-a", false },
        { "alice", "list", "secrets", "team-a", false },
        { "alice", "list", "nodes", "", false },
        { "alice", "create", "selfsubjectaccessreviews.authorization.k8s.io", "", true },
        { "bob", "create", "configmaps", "team-b", true },
        { "bob", "delete", "configmaps", "team-b", true },
        { "bob", "create", "configmaps", "team-a", false },
        { "bob", "list", "nodes", "", true },
        { "bob", "delete", "nodes", "", false },
        { "carol", "get", "pods", "team-a", false },
        { "carol", "list", "namespaces", "", false },
        { "dave", "list", "deployments.apps", "team-a", true },
        { "dave", "get", "pods", "team-a", true },
        { "dave", "create", "deployments.apps", "team-a", false },
        { "dave", "list", "secrets", "team-a", false },
        { "dave", "list", "deployments.apps", "team-b", false },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task KubectlAuthCanI_AnswersAsTheRulesSay(string user, string verb, string resource, string ns, bool allowed)
    {
        string[] args = ns.Length > 0 ? ["auth", "can-i", verb, resource, "-n", ns] : ["auth", "can-i", verb, resource];
        var result = await Kubectl.RunAsync(fixture.KubeconfigOf(user), args);

        Assert.True(result.Stdout.Trim() == (allowed ? "yes" : "no"), result.ToString());
        Assert.Equal(allowed ? 0 : 1, result.ExitCode);
    }

    [Theory]
    [InlineData("alice", "GET", "/api/v1/namespaces/team-a/pods", null)]
    [InlineData("alice", "GET", "/api/v1/namespaces/team-b/pods", "pods is forbidden: User \"alice\" cannot list resource \"pods\" in API group \"\" in the namespace \"team-b\"")]
    [InlineData("alice", "GET", "/api/v1/namespaces/team-a/pods?watch=true&timeoutSeconds=1", null)]
    [InlineData("alice", "GET", "/api/v1/namespaces/team-b/pods?watch=1", "pods is forbidden: User \"alice\" cannot watch resource \"pods\" in API group \"\" in the namespace \"team-b\"")]
    [InlineData("alice", "GET", "/api/v1/namespaces/team-a/secrets/visible", null)]
    [InlineData("alice", "GET", "/api/v1/namespaces/team-a/secrets/hidden", "secrets \"hidden\" is forbidden: User \"alice\" cannot get resource \"secrets\" in API group \"\" in the namespace \"team-a\"")]
    [InlineData("alice", "DELETE", "/api/v1/namespaces/team-a/pods", "pods is forbidden: User \"alice\" cannot deletecollection resource \"pods\" in API group \"\" in the namespace \"team-a\"")]
    [InlineData("alice", "GET", "/apis/apps/v1/namespaces/team-a/deployments/web/scale", null)]
    [InlineData("alice", "GET", "/apis/apps/v1/namespaces/team-a/deployments/web", "deployments.apps \"web\" is forbidden: User \"alice\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"team-a\"")]
    [InlineData("alice", "GET", "/api/v1/nodes", "nodes is forbidden: User \"alice\" cannot list resource \"nodes\" in API group \"\" at the cluster scope")]
    [InlineData("alice", "GET", "/api/v1/namespaces/team-a/pods/web/status", "pods \"web\" is forbidden: User \"alice\" cannot get resource \"pods/status\" in API group \"\" in the namespace \"team-a\"")]
    [InlineData("alice", "GET", "/version", null)]
    [InlineData("alice", "GET", "/apis", null)]
    [InlineData("alice", "GET", "/metrics", "forbidden: User \"alice\" cannot get path \"/metrics\"")]
    [InlineData("alice", "GET", "/api/v1/namespaces/team-a", "namespaces \"team-a\" is forbidden: User \"alice\" cannot get resource \"namespaces\" in API group \"\" in the namespace \"team-a\"")]
    [InlineData("bob", "GET", "/api/v1/namespaces/team-a/pods/web/status", null)]
    [InlineData("bob", "GET", "/metrics", null)]
    [InlineData("bob", "GET", "/api/v1/nodes", null)]
    [InlineData("bob", "POST", "/api/v1/nodes", "nodes is forbidden: User \"bob\" cannot create resource \"nodes\" in API group \"\" at the cluster scope")]
    public async Task Api_Answers403WithKubernetesWording_OnlyWhenDenied(string user, string method, string path, string? forbidden)
    {
        using var client = fixture.ClientFor(user + "-token");
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("""{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}}""", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        if (forbidden is null)
        {
            Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
            return;
        }

        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Status", (string?)status["kind"]);
        Assert.Equal("Forbidden", (string?)status["reason"]);
        Assert.Equal(403, (int?)status["code"]);
        Assert.Equal(forbidden, (string?)status["message"]);
    }

    [Fact]
    public async Task KubectlAuthCanIList_ShowsTheUsersRules()
    {
        var result = await Kubectl.RunAsync(fixture.KubeconfigOf("alice"), "auth", "can-i", "--list", "-n", "team-a");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("pods ", StringComparison.Ordinal) && l.Contains("[get list watch]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("secrets ", StringComparison.Ordinal) && l.Contains("[visible]", StringComparison.Ordinal) && l.Contains("[get]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("selfsubjectaccessreviews.authorization.k8s.io", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("[/version]", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("configmaps", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KubectlAuthCanIAs_ImpersonatesFromTheAdmin()
    {
        var admin = fixture.Server.Kubeconfig;
        var allowed = await Kubectl.RunAsync(admin, "auth", "can-i", "list", "pods", "-n", "team-a", "--as", "alice");
        var denied = await Kubectl.RunAsync(admin, "auth", "can-i", "list", "pods", "-n", "team-b", "--as", "alice");
        var viaGroup = await Kubectl.RunAsync(admin, "auth", "can-i", "create", "configmaps", "-n", "team-b", "--as", "zed", "--as-group", "dev");
        var subresource = await Kubectl.RunAsync(admin, "auth", "can-i", "update", "deployments.apps", "--subresource", "scale", "-n", "team-a", "--as", "alice");

        Assert.True(allowed.Stdout.Trim() == "yes", allowed.ToString());
        Assert.True(denied.Stdout.Trim() == "no", denied.ToString());
        Assert.True(viaGroup.Stdout.Trim() == "yes", viaGroup.ToString());
        Assert.True(subresource.Stdout.Trim() == "yes", subresource.ToString());
    }

    [Fact]
    public async Task KubectlAuthWhoami_PrintsTheUserAndItsGroups()
    {
        var bob = await Kubectl.RunAsync(fixture.KubeconfigOf("bob"), "auth", "whoami");
        var dave = await Kubectl.RunAsync(fixture.KubeconfigOf("dave"), "auth", "whoami", "-o", "json");
        var impersonated = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "auth", "whoami", "--as", "alice", "--as-group", "dev");

        Assert.True(bob.ExitCode == 0, bob.ToString());
        Assert.Equal("ATTRIBUTE   VALUE\nUsername    bob\nUID         2\nGroups      [dev system:authenticated]\n", bob.Stdout);
        var info = JsonNode.Parse(dave.Stdout)!["status"]!["userInfo"]!;
        Assert.Equal("dave", (string?)info["username"]);
        Assert.Equal(["qa", "system:authenticated"], info["groups"]!.AsArray().Select(g => (string)g!));
        Assert.True(impersonated.ExitCode == 0, impersonated.ToString());
        Assert.Contains("Username    alice", impersonated.Stdout, StringComparison.Ordinal);
        Assert.Contains("Groups      [dev system:authenticated]", impersonated.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("carol", "alice", null, "users \"alice\" is forbidden: User \"carol\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope")]
    [InlineData("erin", "bob", null, "users \"bob\" is forbidden: User \"erin\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope")]
    [InlineData("erin", "alice", "ops", "groups \"ops\" is forbidden: User \"erin\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope")]
    [InlineData("erin", "system:serviceaccount:team-a:robot", null, "serviceaccounts \"robot\" is forbidden: User \"erin\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"team-a\"")]
    [InlineData("erin", "alice", "dev", null)]
    public async Task Impersonation_NeedsTheImpersonateVerb_OnEachUserAndGroup(string user, string asUser, string? asGroup, string? forbidden)
    {
        using var client = fixture.ClientFor(user + "-token");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/team-a/pods");
        request.Headers.Add("Impersonate-User", asUser);
        if (asGroup is not null)
        {
            request.Headers.Add("Impersonate-Group", asGroup);
        }

        using var response = await client.SendAsync(request);

        if (forbidden is null)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return;
        }

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(forbidden, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]);
    }

    [Fact]
    public async Task Impersonation_OfUidsAndExtras_IsAuthorizedAndSeenBySelfSubjectReview()
    {
        using var erin = fixture.ClientFor("erin-token");
        using var admin = fixture.ClientFor(RbacServerFixture.AdminToken);
        const string whoami = """{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""";
        using var uidDenied = new HttpRequestMessage(HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews") { Content = new StringContent(whoami, Encoding.UTF8, "application/json") };
        uidDenied.Headers.Add("Impersonate-User", "alice");
        uidDenied.Headers.Add("Impersonate-Uid", "u-1");
        using var asAlice = new HttpRequestMessage(HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews") { Content = new StringContent(whoami, Encoding.UTF8, "application/json") };
        asAlice.Headers.Add("Impersonate-User", "alice");
        asAlice.Headers.Add("Impersonate-Uid", "u-1");
        asAlice.Headers.Add("Impersonate-Extra-Scopes", "read");

        using var denied = await erin.SendAsync(uidDenied);
        using var allowed = await admin.SendAsync(asAlice);

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("uids.authentication.k8s.io \"u-1\" is forbidden: User \"erin\" cannot impersonate resource \"uids\" in API group \"authentication.k8s.io\" at the cluster scope", (string?)JsonNode.Parse(await denied.Content.ReadAsStringAsync())!["message"]);
        var info = JsonNode.Parse(await allowed.Content.ReadAsStringAsync())!["status"]!["userInfo"]!;
        Assert.Equal("alice", (string?)info["username"]);
        Assert.Equal("u-1", (string?)info["uid"]);
        Assert.Equal(["system:authenticated"], info["groups"]!.AsArray().Select(g => (string)g!));
        Assert.Equal(["read"], info["extra"]!["scopes"]!.AsArray().Select(g => (string)g!));
    }

    [Fact]
    public async Task KubectlAs_ActsWithTheImpersonatedUsersRights()
    {
        var erinAsAlice = await Kubectl.RunAsync(fixture.KubeconfigOf("erin"), "get", "pods", "-n", "team-a", "--as", "alice");
        var carolAsAlice = await Kubectl.RunAsync(fixture.KubeconfigOf("carol"), "get", "pods", "-n", "team-a", "--as", "alice");
        // Impersonating alice means alice's rights, not erin's: erin (group dev) may edit configmaps in team-b, alice may not.
        var aliceCannotEdit = await Kubectl.RunAsync(fixture.KubeconfigOf("erin"), "auth", "can-i", "create", "configmaps", "-n", "team-b", "--as", "alice");
        var erinCan = await Kubectl.RunAsync(fixture.KubeconfigOf("erin"), "auth", "can-i", "create", "configmaps", "-n", "team-b");

        Assert.True(erinAsAlice.ExitCode == 0, erinAsAlice.ToString());
        Assert.NotEqual(0, carolAsAlice.ExitCode);
        Assert.Contains("Forbidden", carolAsAlice.Stderr, StringComparison.Ordinal);
        Assert.True(aliceCannotEdit.Stdout.Trim() == "no", aliceCannotEdit.ToString());
        Assert.True(erinCan.Stdout.Trim() == "yes", erinCan.ToString());
    }

    [Fact]
    public async Task Escalation_RolesAndBindings_MayOnlyGrantWhatTheWriterHolds()
    {
        var bob = fixture.KubeconfigOf("bob");
        var held = await Apply(bob, Role("bob-cm-reader", "configmaps"));
        var escalating = await Apply(bob, Role("bob-secret-reader", "secrets"));
        var bindHeld = await Apply(bob, Binding("bob-binds-cm", "ClusterRole", "cm-editor"));
        var bindAdmin = await Apply(bob, Binding("bob-binds-admin", "ClusterRole", "cluster-admin"));

        Assert.True(held.ExitCode == 0, held.ToString());
        Assert.Contains(
            "roles.rbac.authorization.k8s.io \"bob-secret-reader\" is forbidden: user \"bob\" (groups=[\"dev\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"list\"]}",
            escalating.Stderr,
            StringComparison.Ordinal);
        Assert.True(bindHeld.ExitCode == 0, bindHeld.ToString());
        Assert.Contains("rolebindings.rbac.authorization.k8s.io \"bob-binds-admin\" is forbidden: user \"bob\" (groups=[\"dev\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:", bindAdmin.Stderr, StringComparison.Ordinal);

        // The escalate and bind verbs lift the checks.
        var grant = await Kubectl.RunWithInputAsync(fixture.Server.Kubeconfig, """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: escalate-and-bind-admin}
            rules:
            - {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [escalate]}
            - {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], resourceNames: [admin], verbs: [bind]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: bob-escalates, namespace: team-b}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: escalate-and-bind-admin}
            subjects:
            - {apiGroup: rbac.authorization.k8s.io, kind: User, name: bob}
            """, "apply", "-f", "-");
        Assert.True(grant.ExitCode == 0, grant.ToString());
        await RbacServerFixture.WaitUntilAsync(async () => (await Kubectl.RunAsync(bob, "auth", "can-i", "escalate", "roles.rbac.authorization.k8s.io", "-n", "team-b")).ExitCode == 0);

        var escalated = await Apply(bob, Role("bob-secret-reader", "secrets"));
        var boundAdmin = await Apply(bob, Binding("bob-binds-admin", "ClusterRole", "admin"));
        var boundClusterAdmin = await Apply(bob, Binding("bob-binds-cluster-admin", "ClusterRole", "cluster-admin"));
        Assert.True(escalated.ExitCode == 0, escalated.ToString());
        Assert.True(boundAdmin.ExitCode == 0, boundAdmin.ToString());
        Assert.NotEqual(0, boundClusterAdmin.ExitCode);
    }

    [Fact]
    public async Task RoleRef_IsImmutable_AndBindingsPrintTheirSubjects()
    {
        var admin = fixture.Server.Kubeconfig;
        var created = await Apply(admin, Binding("immutable-ref", "ClusterRole", "view"));
        var changed = await Apply(admin, Binding("immutable-ref", "ClusterRole", "edit"));
        var wide = await Kubectl.RunAsync(admin, "get", "rolebinding", "alice-reads-pods", "-n", "team-a", "-o", "wide");
        var roles = await Kubectl.RunAsync(admin, "get", "roles", "-n", "team-a");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", Name:\"edit\"}: cannot change roleRef", changed.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\nalice-reads-pods\s+Role/pod-reader\s+\S+\s+alice\s*\n$", wide.Stdout);
        Assert.Matches(@"^NAME\s+CREATED AT\npod-reader\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$", roles.Stdout);
    }

    [Fact]
    public async Task BootstrapPolicy_AggregatesViewIntoEditIntoAdmin()
    {
        var admin = fixture.Server.Kubeconfig;
        await RbacServerFixture.WaitUntilAsync(async () =>
        {
            var role = await Kubectl.RunAsync(admin, "get", "clusterrole", "admin", "-o", "json");
            var rules = JsonNode.Parse(role.Stdout)!["rules"]?.AsArray() ?? [];
            // admin holds its own (roles), edit's (secrets writes) and view's (pods/log) rules.
            return rules.Any(r => r!["resources"]!.AsArray().Any(x => (string?)x == "rolebindings"))
                && rules.Any(r => r!["resources"]!.AsArray().Any(x => (string?)x == "pods/log"))
                && rules.Any(r => r!["resources"]!.AsArray().Any(x => (string?)x == "pods/exec"));
        });
        var labels = await Kubectl.RunAsync(admin, "get", "clusterrole", "cluster-admin", "-o", "jsonpath={.metadata.labels.kubernetes\\.io/bootstrapping} {.metadata.annotations.rbac\\.authorization\\.kubernetes\\.io/autoupdate}");
        Assert.Equal("rbac-defaults true", labels.Stdout);

        var before = await Kubectl.RunAsync(fixture.KubeconfigOf("dave"), "auth", "can-i", "get", "leases.coordination.k8s.io", "-n", "team-a");
        Assert.True(before.Stdout.Trim() == "no", before.ToString());

        // A new role labelled to aggregate into view reaches view (dave's, through qa) and, through edit, admin.
        var added = await Kubectl.RunWithInputAsync(admin, """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: leases-view
              labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
            rules:
            - {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get]}
            """, "apply", "-f", "-");
        Assert.True(added.ExitCode == 0, added.ToString());
        await RbacServerFixture.WaitUntilAsync(async () =>
            (await Kubectl.RunAsync(fixture.KubeconfigOf("dave"), "auth", "can-i", "get", "leases.coordination.k8s.io", "-n", "team-a")).Stdout.Trim() == "yes");
        await RbacServerFixture.WaitUntilAsync(async () =>
            (await Kubectl.RunAsync(admin, "get", "clusterrole", "admin", "-o", "json")).Stdout.Contains("\"leases\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SubjectAccessReview_AndTokenReview_AnswerForOthers()
    {
        using var admin = fixture.ClientFor(RbacServerFixture.AdminToken);
        using var alice = fixture.ClientFor("alice-token");
        const string review = """
            {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview","spec":{"user":"zed","groups":["dev"],
             "resourceAttributes":{"namespace":"team-b","verb":"create","resource":"configmaps"}}}
            """;
        const string token = """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"bob-token"}}""";
        const string badToken = """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"nope"}}""";

        var allowed = await Post(admin, "/apis/authorization.k8s.io/v1/subjectaccessreviews", review);
        var denied = await Post(admin, "/apis/authorization.k8s.io/v1/subjectaccessreviews", review.Replace("team-b", "team-a", StringComparison.Ordinal));
        var reviewed = await Post(admin, "/apis/authentication.k8s.io/v1/tokenreviews", token);
        var unknown = await Post(admin, "/apis/authentication.k8s.io/v1/tokenreviews", badToken);
        using var aliceMayNot = await alice.PostAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews", new StringContent(review, Encoding.UTF8, "application/json"));
        using var listed = await admin.GetAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews");

        Assert.True((bool?)allowed["status"]!["allowed"]);
        Assert.False((bool?)denied["status"]!["allowed"]);
        Assert.True((bool?)reviewed["status"]!["authenticated"]);
        Assert.Equal("bob", (string?)reviewed["status"]!["user"]!["username"]);
        Assert.Equal(["dev", "system:authenticated"], reviewed["status"]!["user"]!["groups"]!.AsArray().Select(g => (string)g!));
        Assert.False((bool?)unknown["status"]!["authenticated"]);
        Assert.Equal(HttpStatusCode.Forbidden, aliceMayNot.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, listed.StatusCode);

        static async Task<JsonNode> Post(HttpClient client, string path, string body)
        {
            using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Created, text);
            return JsonNode.Parse(text)!;
        }
    }

    [Fact]
    public async Task KubectlCreate_RbacObjects_AndDiscoveryListsTheReviews()
    {
        var admin = fixture.Server.Kubeconfig;
        var before = await Kubectl.RunAsync(admin, "get", "namespaces", "--as", "frank");
        Assert.NotEqual(0, before.ExitCode);
        // kubectl's typed create commands send protobuf bodies.
        var role = await Kubectl.RunAsync(admin, "create", "role", "lease-reader", "--verb=get,list", "--resource=leases.coordination.k8s.io", "-n", "team-b");
        var binding = await Kubectl.RunAsync(admin, "create", "rolebinding", "frank-reads-leases", "--role=lease-reader", "--user=frank", "-n", "team-b");
        var clusterRole = await Kubectl.RunAsync(admin, "create", "clusterrole", "ns-lister", "--verb=list", "--resource=namespaces");
        var clusterBinding = await Kubectl.RunAsync(admin, "create", "clusterrolebinding", "frank-lists-ns", "--clusterrole=ns-lister", "--user=frank");
        var resources = await Kubectl.RunAsync(admin, "api-resources", "--api-group=authorization.k8s.io", "-o", "wide");

        Assert.True(role.ExitCode == 0, role.ToString());
        Assert.True(binding.ExitCode == 0, binding.ToString());
        Assert.True(clusterRole.ExitCode == 0, clusterRole.ToString());
        Assert.True(clusterBinding.ExitCode == 0, clusterBinding.ToString());
        await RbacServerFixture.WaitUntilAsync(async () =>
            (await Kubectl.RunAsync(admin, "get", "namespaces", "--as", "frank")).ExitCode == 0
            && (await Kubectl.RunAsync(admin, "get", "leases", "-n", "team-b", "--as", "frank")).ExitCode == 0);
        Assert.Matches(@"selfsubjectaccessreviews\s+authorization\.k8s\.io/v1\s+false\s+SelfSubjectAccessReview\s+create", resources.Stdout);
        Assert.Matches(@"subjectaccessreviews\s+authorization\.k8s\.io/v1\s+false\s+SubjectAccessReview\s+create", resources.Stdout);
    }

    private Task<Kubectl.Result> Apply(string kubeconfig, string manifest) => Kubectl.RunWithInputAsync(kubeconfig, manifest, "apply", "-f", "-");

    private static string Role(string name, string resource) => $$"""
        apiVersion: {{Group}}/v1
        kind: Role
        metadata: {name: {{name}}, namespace: team-b}
        rules:
        - {apiGroups: [""], resources: [{{resource}}], verbs: [get, list]}
        """;

    private static string Binding(string name, string kind, string role) => $$"""
        apiVersion: {{Group}}/v1
        kind: RoleBinding
        metadata: {name: {{name}}, namespace: team-b}
        roleRef: {apiGroup: {{Group}}, kind: {{kind}}, name: {{role}}}
        subjects:
        - {apiGroup: {{Group}}, kind: User, name: someone}
        """;
}
