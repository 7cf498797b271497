using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cetus.ApiServer.Security;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>One real cetus server (with its controller manager) for the service-account tests.</summary>
public sealed class ServiceAccountServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("sa-tokens");

    public CetusServerProcess Server { get; private set; } = null!;

    public string CaPem { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Server = await CetusServerProcess.StartAsync();
        CaPem = await File.ReadAllTextAsync(Path.Combine(Server.DataDir, "tls", "ca.crt"));
    }

    /// <summary>A kubeconfig that authenticates with <paramref name="token"/> only.</summary>
    public string KubeconfigWithToken(string token)
    {
        var path = _dir.File($"{Guid.NewGuid():N}.kubeconfig");
        Kubeconfig.WriteWithToken(path, Server.Address, CaPem, token, user: "token-user");
        return path;
    }

    public HttpClient ClientFor(string? token)
    {
        var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        var client = new HttpClient(handler) { BaseAddress = new Uri(Server.Address), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>
/// Service-account tokens against a real server with the real kubectl: the TokenRequest API (<c>kubectl create
/// token</c>), authentication as the service account, RBAC on its user and groups, revocation when the service
/// account or the bound pod goes, TokenReview with audiences, and the default service account of every namespace.
/// </summary>
public sealed class ServiceAccountTokenTests(ServiceAccountServerFixture fixture) : IClassFixture<ServiceAccountServerFixture>
{
    private string Admin => fixture.Server.Kubeconfig;

    [Fact]
    public async Task EveryNamespace_GetsADefaultServiceAccount_RecreatedWhenDeleted()
    {
        await Run("create", "namespace", "sa-default");

        var uid = await WaitForAsync(async () =>
        {
            var got = await Kubectl.RunAsync(Admin, "get", "serviceaccount", "default", "-n", "sa-default", "-o", "jsonpath={.metadata.uid}");
            return got.ExitCode == 0 ? got.Stdout : null;
        });
        await Run("delete", "serviceaccount", "default", "-n", "sa-default");
        var again = await WaitForAsync(async () =>
        {
            var got = await Kubectl.RunAsync(Admin, "get", "serviceaccount", "default", "-n", "sa-default", "-o", "jsonpath={.metadata.uid}");
            return got.ExitCode == 0 && got.Stdout != uid ? got.Stdout : null;
        });

        Assert.NotEqual(uid, again);
        Assert.Equal(0, (await Kubectl.RunAsync(Admin, "get", "serviceaccount", "default", "-n", "kube-system")).ExitCode);
    }

    [Fact]
    public async Task KubectlCreateToken_AuthenticatesAsTheServiceAccount_AndRbacAppliesToIt()
    {
        await Run("create", "namespace", "sa-rbac");
        await Run("create", "serviceaccount", "robot", "-n", "sa-rbac");
        var token = (await Run("create", "token", "robot", "-n", "sa-rbac")).Stdout.Trim();
        var robot = fixture.KubeconfigWithToken(token);

        var whoami = await Kubectl.RunAsync(robot, "auth", "whoami", "-o", "json");
        var denied = await Kubectl.RunAsync(robot, "get", "pods", "-n", "sa-rbac");
        await Run("create", "rolebinding", "robot-views", "--clusterrole", "view", "--serviceaccount", "sa-rbac:robot", "-n", "sa-rbac");
        await WaitForAsync(async () => (await Kubectl.RunAsync(robot, "get", "pods", "-n", "sa-rbac")).ExitCode == 0 ? "ok" : null);
        var canI = await Kubectl.RunAsync(robot, "auth", "can-i", "list", "configmaps", "-n", "sa-rbac");
        var cannot = await Kubectl.RunAsync(robot, "auth", "can-i", "create", "configmaps", "-n", "sa-rbac");

        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        var info = JsonNode.Parse(whoami.Stdout)!["status"]!["userInfo"]!;
        Assert.Equal("system:serviceaccount:sa-rbac:robot", (string?)info["username"]);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:sa-rbac", "system:authenticated"], info["groups"]!.AsArray().Select(g => (string?)g));
        Assert.StartsWith("JTI=", (string?)info["extra"]!["authentication.kubernetes.io/credential-id"]![0], StringComparison.Ordinal);
        Assert.Contains("User \"system:serviceaccount:sa-rbac:robot\" cannot list resource \"pods\"", denied.Stderr, StringComparison.Ordinal);
        Assert.Equal("yes", canI.Stdout.Trim());
        Assert.Equal("no", cannot.Stdout.Trim());
    }

    [Fact]
    public async Task Token_StopsWorking_WhenTheServiceAccountIsDeleted_EvenIfRecreatedUnderTheSameName()
    {
        await Run("create", "namespace", "sa-revoke");
        await Run("create", "serviceaccount", "robot", "-n", "sa-revoke");
        var token = (await Run("create", "token", "robot", "-n", "sa-revoke")).Stdout.Trim();
        using var client = fixture.ClientFor(token);

        Assert.Equal(HttpStatusCode.Created, (await WhoAmI(client)).StatusCode);
        await Run("delete", "serviceaccount", "robot", "-n", "sa-revoke");
        var afterDelete = await WaitForAsync(async () => (await WhoAmI(client)) is { StatusCode: HttpStatusCode.Unauthorized } r ? r : null);
        await Run("create", "serviceaccount", "robot", "-n", "sa-revoke");
        await WaitForAsync(async () => (await Kubectl.RunAsync(Admin, "create", "token", "robot", "-n", "sa-revoke")).ExitCode == 0 ? "ok" : null);
        var afterRecreate = await WhoAmI(client);

        var status = JsonNode.Parse(await afterDelete.Content.ReadAsStringAsync())!;
        Assert.Equal("Unauthorized", (string?)status["reason"]);
        Assert.Equal(401, (int?)status["code"]);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRecreate.StatusCode);
    }

    [Fact]
    public async Task PodBoundToken_NamesThePod_AndDiesWithIt()
    {
        await Run("create", "namespace", "sa-pod");
        await Run("create", "serviceaccount", "robot", "-n", "sa-pod");
        await Kubectl.RunWithInputAsync(Admin, """
            apiVersion: v1
            kind: Pod
            metadata: {name: holder, namespace: sa-pod}
            spec:
              serviceAccountName: robot
              containers: [{name: c, image: busybox}]
            """, "apply", "-f", "-");
        var podUid = (await Run("get", "pod", "holder", "-n", "sa-pod", "-o", "jsonpath={.metadata.uid}")).Stdout;
        var token = (await Run("create", "token", "robot", "-n", "sa-pod", "--bound-object-kind", "Pod", "--bound-object-name", "holder")).Stdout.Trim();
        var wrongAccount = await Kubectl.RunAsync(Admin, "create", "token", "default", "-n", "sa-pod", "--bound-object-kind", "Pod", "--bound-object-name", "holder");
        using var client = fixture.ClientFor(token);

        var whoami = JsonNode.Parse(await (await WhoAmI(client)).Content.ReadAsStringAsync())!["status"]!["userInfo"]!;
        await Run("delete", "pod", "holder", "-n", "sa-pod", "--grace-period=0", "--force");
        await WaitForAsync(async () => (await WhoAmI(client)).StatusCode == HttpStatusCode.Unauthorized ? "gone" : null);

        Assert.Equal("holder", (string?)whoami["extra"]!["authentication.kubernetes.io/pod-name"]![0]);
        Assert.Equal(podUid, (string?)whoami["extra"]!["authentication.kubernetes.io/pod-uid"]![0]);
        Assert.Equal(1, wrongAccount.ExitCode);
        Assert.Contains("cannot bind token for serviceaccount \"default\" to pod running with different serviceaccount name.", wrongAccount.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenReview_AcceptsOnlyTheTokensAudiences()
    {
        await Run("create", "namespace", "sa-review");
        await Run("create", "serviceaccount", "robot", "-n", "sa-review");
        var token = (await Run("create", "token", "robot", "-n", "sa-review", "--audience", "vault", "--audience", "nats")).Stdout.Trim();
        using var admin = fixture.ClientFor(null);
        using var api = fixture.ClientFor(token);

        var forVault = await ReviewAsync(token, ["vault", "other"]);
        var forOther = await ReviewAsync(token, ["other"]);
        var forApi = await ReviewAsync(token, []);
        var againstApi = await WhoAmI(api);

        Assert.True((bool?)forVault["authenticated"]);
        Assert.Equal("system:serviceaccount:sa-review:robot", (string?)forVault["user"]!["username"]);
        Assert.Equal(["vault"], forVault["audiences"]!.AsArray().Select(a => (string?)a));
        Assert.NotEqual(true, (bool?)forOther["authenticated"]);
        Assert.Contains("token audiences are invalid", (string?)forOther["error"], StringComparison.Ordinal);
        Assert.NotEqual(true, (bool?)forApi["authenticated"]);
        Assert.Equal(HttpStatusCode.Unauthorized, againstApi.StatusCode);
    }

    [Theory]
    [InlineData(new[] { "create", "token", "robot", "-n", "sa-errors", "--duration", "5m" }, "spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes")]
    [InlineData(new[] { "create", "token", "nobody", "-n", "sa-errors" }, "serviceaccounts \"nobody\" not found")]
    [InlineData(new[] { "create", "token", "robot", "-n", "sa-errors", "--bound-object-kind", "Secret", "--bound-object-name", "missing" }, "secrets \"missing\" not found")]
    [InlineData(new[] { "create", "token", "robot", "-n", "sa-errors", "--bound-object-kind", "Secret", "--bound-object-name", "bound", "--bound-object-uid", "not-its-uid" }, "the UID in the bound object reference (not-its-uid) does not match the UID in record")]
    public async Task BadTokenRequests_GetKubernetesErrors(string[] args, string message)
    {
        await Kubectl.RunAsync(Admin, "create", "namespace", "sa-errors");
        await Kubectl.RunAsync(Admin, "create", "serviceaccount", "robot", "-n", "sa-errors");
        await Kubectl.RunAsync(Admin, "create", "secret", "generic", "bound", "-n", "sa-errors");

        var result = await Kubectl.RunAsync(Admin, args);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenRequest_BoundToAKindItCannotBindTo_Is400_AndGetIs405()
    {
        await Run("create", "namespace", "sa-kinds");
        await Run("create", "serviceaccount", "robot", "-n", "sa-kinds");
        using var admin = AdminClient();

        using var post = await admin.PostAsync("/api/v1/namespaces/sa-kinds/serviceaccounts/robot/token", new StringContent(
            """{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"boundObjectRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"}}}""",
            Encoding.UTF8,
            "application/json"));
        using var get = await admin.GetAsync("/api/v1/namespaces/sa-kinds/serviceaccounts/robot/token");

        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal("cannot bind token to object of type apps/v1, Kind=Deployment", (string?)JsonNode.Parse(await post.Content.ReadAsStringAsync())!["message"]);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    [Fact]
    public async Task IssuerDiscovery_PublishesTheKeyThatVerifiesTokens()
    {
        using var admin = AdminClient();

        var configuration = JsonNode.Parse(await admin.GetStringAsync("/.well-known/openid-configuration"))!;
        var jwks = JsonNode.Parse(await admin.GetStringAsync("/openid/v1/jwks"))!;
        await Run("create", "serviceaccount", "robot", "-n", "default");
        var token = (await Run("create", "token", "robot")).Stdout.Trim();
        var header = JsonNode.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(token.Split('.')[0]))!;

        Assert.Equal(ServiceAccountTokens.DefaultIssuer, (string?)configuration["issuer"]);
        Assert.Equal((string?)header["kid"], (string?)jwks["keys"]![0]!["kid"]);
    }

    private HttpClient AdminClient()
    {
        var pki = ClusterPki.LoadOrCreate(fixture.Server.DataDir, ["127.0.0.1"]);
        var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        handler.SslOptions.ClientCertificates = [System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pki.Admin.CertificatePem, pki.Admin.KeyPem)];
        return new HttpClient(handler) { BaseAddress = new Uri(fixture.Server.Address), Timeout = TimeSpan.FromSeconds(30) };
    }

    private async Task<JsonNode> ReviewAsync(string token, string[] audiences)
    {
        var review = new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenReview",
            ["spec"] = new JsonObject { ["token"] = token, ["audiences"] = new JsonArray(audiences.Select(a => (JsonNode?)a).ToArray()) },
        };
        var result = await Kubectl.RunWithInputAsync(Admin, review.ToJsonString(), "create", "--validate=false", "-f", "-", "-o", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonNode.Parse(result.Stdout)!["status"]!;
    }

    private static Task<HttpResponseMessage> WhoAmI(HttpClient client) =>
        client.PostAsync("/apis/authentication.k8s.io/v1/selfsubjectreviews", new StringContent("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""", Encoding.UTF8, "application/json"));

    private async Task<Kubectl.Result> Run(params string[] args)
    {
        var result = await Kubectl.RunAsync(Admin, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "condition not met within 20 s");
            await Task.Delay(100);
        }
    }
}
