using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.E2E.Tests.Scheduler;

/// <summary>
/// A scheduler run apart (<c>cetus scheduler --kubeconfig DATA-DIR/scheduler.kubeconfig --secure-port P</c>, as
/// system:kube-scheduler) beside a <c>cetus server --disable-scheduler</c>, with a hollow node: the leader publishes
/// its decisions endpoint on its Lease and <c>cetus explain pod</c> reaches it through the API server.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StandaloneSchedulerScenarios : IAsyncLifetime
{
    private const string Prefix = "apart";
    private readonly List<IAsyncDisposable> _processes = [];
    private CetusServerProcess _server = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        _server = await CetusServerProcess.StartAsync(arguments: ["--disable-scheduler"]);
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_server.Kubeconfig));
        _processes.Add(await CetusHollowProcess.StartAsync(_server.Kubeconfig, ["--nodes", "1", "--name-prefix", Prefix, "--cpu", "4", "--memory", "8Gi", "--pods", "20"]));
        await SchedulerScenarios.WaitForDefaultServiceAccountAsync(_client, "default");
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ExplainPod_ReachesTheLeaderOfASchedulerRunApart_ThroughTheApiServer()
    {
        // Before any scheduler publishes an endpoint, the path says why it cannot answer.
        var none = await Kubectl.RunAsync(_server.Kubeconfig, "get", "--raw", "/debug/scheduler/pods/default/early");
        Assert.NotEqual(0, none.ExitCode);
        Assert.Contains("ServiceUnavailable", none.Stderr + none.Stdout, StringComparison.Ordinal);

        var port = CetusServerProcess.FreePort();
        var scheduler = await CetusProcess.StartAsync(
            ["scheduler", "--kubeconfig", Path.Combine(_server.DataDir, "scheduler.kubeconfig"), "--secure-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind-address", "127.0.0.1"],
            line => line.Contains("decisions on", StringComparison.Ordinal));
        _processes.Add(scheduler);

        var pod = await _client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "placed" },
                Spec = new V1PodSpec
                {
                    Containers = [new V1Container { Name = "c", Image = "busybox", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("1") } } }],
                },
            },
            "default");
        var bound = await Wait.ForAsync(
            () => _client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, "default"),
            p => !string.IsNullOrEmpty(p.Spec.NodeName),
            "the standalone scheduler binds the pod",
            TimeSpan.FromSeconds(60));
        Assert.StartsWith(Prefix, bound.Spec.NodeName, StringComparison.Ordinal);

        var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync("kube-scheduler", "kube-system");
        Assert.Equal($"https://127.0.0.1:{port}", lease.Metadata.Annotations["scheduler.cetus.io/decisions-url"]);
        Assert.Equal(lease.Spec.HolderIdentity, lease.Metadata.Annotations["scheduler.cetus.io/decisions-holder"]);

        var explained = await Authorization.NodeBootstrapFixture.CetusAsync("explain", "pod", "placed", "-n", "default", "--kubeconfig", _server.Kubeconfig);
        Assert.True(explained.ExitCode == 0, explained.ToString() + "\n" + scheduler.Log);
        Assert.Contains($"Pod default/placed (uid {bound.Metadata.Uid}): last attempt at ", explained.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Result: scheduled on {bound.Spec.NodeName}", explained.Stdout, StringComparison.Ordinal);
        Assert.Contains("Nodes: 1 in the cluster", explained.Stdout, StringComparison.Ordinal);

        // A pod the scheduler never tried: its 404 Status comes through as it is.
        var missing = await Authorization.NodeBootstrapFixture.CetusAsync("explain", "pod", "nobody", "--kubeconfig", _server.Kubeconfig);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no scheduling decision is kept for pod default/nobody", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("(404)", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecurePort_RefusesClientsWithoutTheApiServersCertificate()
    {
        var port = CetusServerProcess.FreePort();
        var scheduler = await CetusProcess.StartAsync(
            ["scheduler", "--kubeconfig", Path.Combine(_server.DataDir, "scheduler.kubeconfig"), "--secure-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind-address", "127.0.0.1"],
            line => line.Contains("decisions on", StringComparison.Ordinal));
        _processes.Add(scheduler);

        // No client certificate: 401. The admin's certificate (from the cluster CA, but not the API server's): 403.
        using var anonymous = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } });
        using var noCertificate = await anonymous.GetAsync(new Uri($"https://127.0.0.1:{port}/debug/scheduler/pods/default/x"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, noCertificate.StatusCode);

        var admin = KubernetesClientConfiguration.BuildConfigFromConfigFile(_server.Kubeconfig);
        var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        handler.SslOptions.ClientCertificates = [System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(admin.ClientCertificateData is { } data ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data)) : throw new InvalidOperationException("no client certificate"), System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(admin.ClientCertificateKeyData)))];
        using var adminClient = new HttpClient(handler);
        using var forbidden = await adminClient.GetAsync(new Uri($"https://127.0.0.1:{port}/debug/scheduler/pods/default/x"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, forbidden.StatusCode);
    }
}
