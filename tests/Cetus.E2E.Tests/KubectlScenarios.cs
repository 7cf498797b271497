using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests;

/// <summary>
/// What users do with kubectl, against a real cetus server process; each datastore runs the same scenarios
/// (<see cref="KubectlOnSqliteTests"/>, <see cref="KubectlOnEtcdTests"/>).
/// </summary>
public abstract class KubectlScenarios(CetusServerProcess server)
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: NAME
          labels: {app: NAME}
        spec:
          replicas: 2
          selector:
            matchLabels: {app: NAME}
          template:
            metadata:
              labels: {app: NAME}
            spec:
              containers:
              - name: app
                image: IMAGE
                ports: [{containerPort: 80}]
        """;

    [Fact]
    public void Server_RunsWithTieredCompilation_AndTheServerGC_InTheSameProcess()
    {
        // cetus server executes itself again with these set (read only at start): its hot code is recompiled under
        // load, and it collects with the server GC at the runtime's own young-generation size (not cetus up's 3 MB).
        // The fixture started it without them and holds the same process id.
        var environment = File.ReadAllText($"/proc/{server.ProcessId}/environ").Split('\0');
        Assert.Contains("DOTNET_TieredCompilation=1", environment);
        Assert.Contains("DOTNET_TieredPGO=0", environment);
        Assert.Contains("DOTNET_TC_CallCountingDelayMs=0", environment);
        Assert.Contains("DOTNET_gcServer=1", environment);
        Assert.Contains("DOTNET_GCgen0size=0", environment);
        Assert.Contains("MALLOC_ARENA_MAX=2", environment);
        Assert.Contains("server", File.ReadAllText($"/proc/{server.ProcessId}/cmdline").Split('\0'));
    }

    [Fact]
    public void Server_AcceptsDiagnosticsTools_AfterExecutingItselfAgain()
    {
        // dotnet-counters, dotnet-trace and dotnet-dump connect to $TMPDIR/dotnet-diagnostic-PID-START-socket. The name
        // outlives the execve above; the first runtime's file is removed so that the second one listens there.
        var sockets = Directory.GetFiles(Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } tmp ? tmp : "/tmp", $"dotnet-diagnostic-{server.ProcessId}-*-socket");
        var path = Assert.Single(sockets);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        Assert.True(socket.Connected);
    }

    [Fact]
    public async Task Version_ReportsTheServerAsKubernetes132()
    {
        var result = await Run("version");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Server Version: v1.32.4-cetus", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetNamespaces_ShowsTheSystemNamespacesActive()
    {
        var result = await Run("get", "namespaces");
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+STATUS\s+AGE$", lines[0]);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^kube-system\s+Active\s+\d+s$"));
    }

    [Fact]
    public async Task Create_WithAnUnknownField_AndValidateWarn_PrintsTheServersWarningAsKubernetesDoes()
    {
        // The server's Warning header quotes the field's name with escaped quotes, which kubectl reads back as quotes.
        var name = "warned-" + Guid.NewGuid().ToString("N")[..6];
        var manifest = $$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: {{name}}}
            data: {a: "1"}
            colour: blue
            """;
        var created = await RunWithInput(manifest, "create", "-f", "-", "--validate=warn", "--dry-run=server");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("Warning: unknown field \"colour\"", created.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateFromFile_GetWide_Label_Scale_Delete()
    {
        var name = "web-" + Guid.NewGuid().ToString("N")[..6];
        var created = await RunWithInput(Manifest(name, "nginx:1.26"), "create", "-f", "-", "--validate=false");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal($"deployment.apps/{name} created", created.Stdout.Trim());

        var wide = await Run("get", "deployment", name, "-o", "wide");
        Assert.True(wide.ExitCode == 0, wide.ToString());
        Assert.Matches(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR", wide.Stdout);
        // The controller manager may already have created the ReplicaSet (UP-TO-DATE up to 2); no pod is ready without a node.
        Assert.Matches($@"{name}\s+0/2\s+[0-2]\s+0\s+\d+s\s+app\s+nginx:1.26\s+app={name}", wide.Stdout);

        var labeled = await Run("label", "deployment", name, "tier=fe");
        Assert.True(labeled.ExitCode == 0, labeled.ToString());
        var selected = await Run("get", "deployments", "-l", "tier=fe,app=" + name, "-o", "name");
        Assert.Equal($"deployment.apps/{name}", selected.Stdout.Trim());
        var notSelected = await Run("get", "deployments", "-l", "tier!=fe,app=" + name, "-o", "name");
        Assert.Equal(string.Empty, notSelected.Stdout.Trim());

        var scaled = await Run("scale", "deployment", name, "--replicas=5");
        Assert.True(scaled.ExitCode == 0, scaled.ToString());
        var replicas = await Run("get", "deployment", name, "-o", "jsonpath={.spec.replicas}");
        Assert.Equal("5", replicas.Stdout);

        var deleted = await Run("delete", "deployment", name);
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal($"deployment.apps \"{name}\" deleted", deleted.Stdout.Trim());
        var gone = await Run("wait", "--for=delete", "deployment/" + name, "--timeout=10s");
        Assert.True(gone.ExitCode == 0, gone.ToString());
    }

    [Fact]
    public async Task ApplyTwice_WithAChange_PatchesOnlyWhatChanged()
    {
        var name = "apply-" + Guid.NewGuid().ToString("N")[..6];
        var first = await RunWithInput(Manifest(name, "nginx:1.26"), "apply", "-f", "-", "--validate=false");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal($"deployment.apps/{name} created", first.Stdout.Trim());

        var unchanged = await RunWithInput(Manifest(name, "nginx:1.26"), "apply", "-f", "-", "--validate=false");
        Assert.Equal($"deployment.apps/{name} unchanged", unchanged.Stdout.Trim());

        var second = await RunWithInput(Manifest(name, "nginx:1.27"), "apply", "-f", "-", "--validate=false");
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal($"deployment.apps/{name} configured", second.Stdout.Trim());
        var image = await Run("get", "deployment", name, "-o", "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}");
        Assert.Equal("nginx:1.27 80", image.Stdout);
        await Run("delete", "deployment", name);
    }

    [Fact]
    public async Task ApplyServerSide_CreatesThenConflictsWithAScale_UntilForced()
    {
        var name = "ssa-" + Guid.NewGuid().ToString("N")[..6];
        var created = await RunWithInput(Manifest(name, "nginx:1.26"), "apply", "--server-side", "-f", "-");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal($"deployment.apps/{name} serverside-applied", created.Stdout.Trim());

        var scaled = await Run("scale", "deployment", name, "--replicas=5");
        Assert.True(scaled.ExitCode == 0, scaled.ToString());
        var conflict = await RunWithInput(Manifest(name, "nginx:1.27"), "apply", "--server-side", "-f", "-");
        Assert.Equal(1, conflict.ExitCode);
        Assert.Contains("Apply failed with 1 conflict: conflict with \"kubectl\"", conflict.Stderr, StringComparison.Ordinal);
        Assert.Contains(".spec.replicas", conflict.Stderr, StringComparison.Ordinal);
        var untouched = await Run("get", "deployment", name, "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}");
        Assert.Equal("5 nginx:1.26", untouched.Stdout);

        var forced = await RunWithInput(Manifest(name, "nginx:1.27"), "apply", "--server-side", "--force-conflicts", "-f", "-");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        var after = await Run("get", "deployment", name, "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}");
        Assert.Equal("2 nginx:1.27", after.Stdout);
        await Run("delete", "deployment", name);
    }

    [Fact]
    public async Task Get_MissingObject_FailsWithNotFound()
    {
        var result = await Run("get", "configmap", "does-not-exist");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error from server (NotFound): configmaps \"does-not-exist\" not found", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiResources_ListsTheBuiltInResourcesWithShortNames()
    {
        var result = await Run("api-resources");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"(?m)^pods\s+po\s+v1\s+true\s+Pod$", result.Stdout);
        Assert.Matches(@"(?m)^deployments\s+deploy\s+apps/v1\s+true\s+Deployment$", result.Stdout);
        Assert.Matches(@"(?m)^namespaces\s+ns\s+v1\s+false\s+Namespace$", result.Stdout);
    }

    private static string Manifest(string name, string image) => Deployment.Replace("NAME", name, StringComparison.Ordinal).Replace("IMAGE", image, StringComparison.Ordinal);

    private Task<Kubectl.Result> Run(params string[] args) => Kubectl.RunAsync(server.Kubeconfig, args);

    private Task<Kubectl.Result> RunWithInput(string stdin, params string[] args) => Kubectl.RunWithInputAsync(server.Kubeconfig, stdin, args);
}

public sealed class KubectlOnSqliteTests(SqliteServerFixture fixture) : KubectlScenarios(fixture.Server), IClassFixture<SqliteServerFixture>;

public sealed class KubectlOnEtcdTests(EtcdServerFixture fixture) : KubectlScenarios(fixture.Server), IClassFixture<EtcdServerFixture>;
