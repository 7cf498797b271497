using System.Net.Http.Headers;
using Cetus.ApiServer.Security;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>
/// One real cetus server with a token file (alice; bob and erin in group dev; carol; an admin token in
/// system:masters), a client-certificate user (dave, group qa) issued by the cluster CA, and the RBAC objects the
/// authorization tests check against, applied once by the admin.
/// </summary>
public sealed class RbacServerFixture : IAsyncLifetime
{
    public const string AdminToken = "admin-token";

    public const string Manifest = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: team-a}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: team-b}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: pod-reader, namespace: team-a}
        rules:
        - {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}
        - {apiGroups: [""], resources: [secrets], resourceNames: [visible], verbs: [get]}
        - {apiGroups: [apps], resources: [deployments/scale], verbs: [get, update, patch]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: alice-reads-pods, namespace: team-a}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: cm-editor}
        rules:
        - {apiGroups: [""], resources: [configmaps], verbs: ["*"]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: role-manager}
        rules:
        - {apiGroups: [rbac.authorization.k8s.io], resources: [roles, rolebindings], verbs: [create, get, list, update, patch, delete]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: dev-edits-configmaps, namespace: team-b}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cm-editor}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: dev}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: dev-manages-roles, namespace: team-b}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: role-manager}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: dev}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: node-and-status-reader}
        rules:
        - {apiGroups: [""], resources: [nodes], verbs: [get, list]}
        - {apiGroups: ["*"], resources: ["*/status"], verbs: [get]}
        - {nonResourceURLs: ["/metrics*"], verbs: [get]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: dev-reads-nodes}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-and-status-reader}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: dev}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: qa-views, namespace: team-a}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: qa}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: impersonate-alice}
        rules:
        - {apiGroups: [""], resources: [users], resourceNames: [alice], verbs: [impersonate]}
        - {apiGroups: [""], resources: [groups], resourceNames: [dev], verbs: [impersonate]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: erin-impersonates-alice}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: impersonate-alice}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: User, name: erin}
        """;

    private readonly TempDirectory _dir = new("rbac");

    public CetusServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var tokens = _dir.File("tokens.csv");
        await File.WriteAllTextAsync(tokens, $"""
            {AdminToken},root,0,"system:masters"
            alice-token,alice,1
            bob-token,bob,2,"dev"
            carol-token,carol,3
            erin-token,erin,4,"dev"
            """);
        Server = await CetusServerProcess.StartAsync(arguments: ["--token-auth-file", tokens]);
        var applied = await Kubectl.RunWithInputAsync(Server.Kubeconfig, Manifest, "apply", "-f", "-");
        Assert.True(applied.ExitCode == 0, applied.ToString());

        var pki = ClusterPki.LoadOrCreate(Server.DataDir, ["127.0.0.1"]);
        var dave = pki.IssueClientCertificate("dave", ["qa"], TimeSpan.FromDays(1));
        Kubeconfig.Write(KubeconfigOf("dave"), Server.Address, pki.CaCertificatePem, dave.CertificatePem, dave.KeyPem, user: "dave");
        foreach (var user in new[] { "alice", "bob", "carol", "erin" })
        {
            Kubeconfig.WriteWithToken(KubeconfigOf(user), Server.Address, pki.CaCertificatePem, user + "-token", user: user);
        }

        // The authorizer follows the watch cache: wait until the last object applied is in effect.
        await WaitUntilAsync(async () => (await Kubectl.RunAsync(KubeconfigOf("erin"), "get", "pods", "-n", "team-a", "--as", "alice")).ExitCode == 0);
    }

    public string KubeconfigOf(string user) => _dir.File(user + ".kubeconfig");

    public HttpClient ClientFor(string token)
    {
        var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        var client = new HttpClient(handler) { BaseAddress = new Uri(Server.Address), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms for at most 15 s.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 15 s");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}
