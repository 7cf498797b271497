using System.Diagnostics;
using System.Globalization;
using Cetus.Testing;
using k8s;
using k8s.Models;

// The controller benchmark: a real `cetus server` (SQLite, its in-process controller manager); the time from creating
// a Deployment of N replicas until N pods exist (seen on a pod watch opened beforehand), and until the ReplicaSet's
// status reports them. Runs each size once per --runs (a fresh Deployment each time). Then, against a second server
// whose controller manager runs as its own process (`cetus controller-manager`, so that its CPU time can be read from
// /proc): a Deployment of N replicas whose pods a stand-in node makes Ready as they appear, a full rolling update of
// it (new image) timed until the Deployment reports N updated and available replicas and no old ones, and the
// controller manager's CPU time per pod created over both.
var replicas = 1000;
var runs = 3;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--replicas":
            replicas = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--runs":
            runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine("usage: Cetus.Bench.Controllers [--replicas N] [--runs R]");
            return 2;
    }
}

Console.WriteLine($"# Controller benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores; .NET {Environment.Version}; Deployment of {replicas} replicas, {runs} runs");
await using var server = await CetusServerProcess.StartAsync();
using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Kubeconfig), new Cetus.Client.Http.WatchConnectionHandler());

// Warm up the client and the controller manager's informers with a small Deployment.
await MeasureAsync(client, "warmup", 5);
var results = new List<(double Pods, double Status)>();
for (var run = 1; run <= runs; run++)
{
    results.Add(await MeasureAsync(client, $"bench-{run}", replicas));
    Console.WriteLine($"run {run}: {replicas} pods exist after {results[^1].Pods:0.00} s; ReplicaSet status reports them after {results[^1].Status:0.00} s");
}

// For comparison: the same number of pods created straight through the API, 64 at a time, from this process.
var raw = Stopwatch.StartNew();
using (var gate = new SemaphoreSlim(64))
{
    await Task.WhenAll(Enumerable.Range(0, replicas).Select(async i =>
    {
        await gate.WaitAsync();
        try
        {
            await client.CoreV1.CreateNamespacedPodAsync(
                new V1Pod
                {
                    Metadata = new V1ObjectMeta { GenerateName = "raw-", Labels = new Dictionary<string, string> { ["app"] = "raw" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx:1.27" }] },
                },
                "default");
        }
        finally
        {
            gate.Release();
        }
    }));
}

Console.WriteLine($"direct: {replicas} pods created through the API (64 concurrent, no controllers involved) in {raw.Elapsed.TotalSeconds:0.00} s");

var rolling = await RollingUpdateAsync(replicas);

var pods = results.Select(r => r.Pods).Order().ToList();
var status = results.Select(r => r.Status).Order().ToList();
Console.WriteLine();
Console.WriteLine("| replicas | pods exist: median (min–max) | ReplicaSet status: median (min–max) |");
Console.WriteLine("| --- | --- | --- |");
Console.WriteLine($"| {replicas:N0} | {pods[pods.Count / 2]:0.00} s ({pods[0]:0.00}–{pods[^1]:0.00}) | {status[status.Count / 2]:0.00} s ({status[0]:0.00}–{status[^1]:0.00}) |");
Console.WriteLine();
Console.WriteLine("| replicas | create, pods Ready | rolling update to the new image | controller-manager CPU per pod created |");
Console.WriteLine("| --- | --- | --- | --- |");
Console.WriteLine($"| {replicas:N0} | {rolling.Create:0.00} s | {rolling.Update:0.00} s | {rolling.CpuMsPerPod:0.00} ms |");
return 0;

// Creates the Deployment, lets a stand-in node make every pod Ready as it appears, rolls it to a new image; returns
// the two durations and the controller manager process's CPU milliseconds per pod it created (2 × replicas).
static async Task<(double Create, double Update, double CpuMsPerPod)> RollingUpdateAsync(int replicas)
{
    await using var server = await CetusServerProcess.StartAsync(arguments: ["--disable-controller-manager", "--disable-scheduler"]);
    await using var manager = await CetusProcess.StartAsync(["controller-manager", "--kubeconfig", server.Kubeconfig], line => line.Contains("controller manager against", StringComparison.Ordinal));
    using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Kubeconfig), new Cetus.Client.Http.WatchConnectionHandler());
    using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
    var node = Task.Run(() => MarkReadyAsync(client, "roll", stop.Token));
    await WaitForLeaderAsync(client, stop.Token);
    var cpuBefore = CpuMilliseconds(manager.ProcessId);

    var clock = Stopwatch.StartNew();
    await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("roll", replicas, "nginx:1.27"), "default", cancellationToken: stop.Token);
    await WaitForRolloutAsync(client, "roll", replicas, stop.Token);
    var create = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"rolling: {replicas} replicas created and Ready in {create:0.00} s");

    clock.Restart();
    await client.AppsV1.PatchNamespacedDeploymentAsync(
        new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}}}}""", V1Patch.PatchType.StrategicMergePatch),
        "roll",
        "default",
        cancellationToken: stop.Token);
    await WaitForRolloutAsync(client, "roll", replicas, stop.Token);
    var update = clock.Elapsed.TotalSeconds;
    var cpu = CpuMilliseconds(manager.ProcessId) - cpuBefore;
    Console.WriteLine($"rolling: update of {replicas} pods to a new image in {update:0.00} s; controller manager CPU {cpu:0} ms for {2 * replicas} pods");
    await stop.CancelAsync();
    try
    {
        await node;
    }
    catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
    {
    }

    return (create, update, cpu / (2.0 * replicas));
}

static V1Deployment Deployment(string name, int replicas, string image) => new()
{
    Metadata = new V1ObjectMeta { Name = name },
    Spec = new V1DeploymentSpec
    {
        Replicas = replicas,
        Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
        Template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = image }] },
        },
    },
};

// Until the Deployment's status says the rollout is done: every replica updated and available, none old.
static async Task WaitForRolloutAsync(Kubernetes client, string name, int replicas, CancellationToken cancellationToken)
{
    while (true)
    {
        var d = await client.AppsV1.ReadNamespacedDeploymentAsync(name, "default", cancellationToken: cancellationToken);
        if (d.Status is { } s && s.ObservedGeneration == d.Metadata.Generation && s.UpdatedReplicas == replicas && s.AvailableReplicas == replicas && s.Replicas == replicas)
        {
            return;
        }

        await Task.Delay(50, cancellationToken);
    }
}

static async Task WaitForLeaderAsync(Kubernetes client, CancellationToken cancellationToken)
{
    while (true)
    {
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("kube-controller-manager", "kube-system", cancellationToken: cancellationToken);
            if (!string.IsNullOrEmpty(lease.Spec?.HolderIdentity))
            {
                return;
            }
        }
        catch (k8s.Autorest.HttpOperationException)
        {
        }

        await Task.Delay(50, cancellationToken);
    }
}

// The stand-in node: every pod of app=NAME that appears is patched Running and Ready at once (16 at a time).
static async Task MarkReadyAsync(Kubernetes client, string name, CancellationToken cancellationToken)
{
    var pending = System.Threading.Channels.Channel.CreateUnbounded<string>();
    var workers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
    {
        await foreach (var pod in pending.Reader.ReadAllAsync(cancellationToken))
        {
            var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await client.CoreV1.PatchNamespacedPodStatusAsync(
                        new V1Patch($$$"""{"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"{{{now}}}"}]}}""", V1Patch.PatchType.MergePatch),
                        pod,
                        "default",
                        cancellationToken: cancellationToken);
                    break;
                }
                catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    // Deleted meanwhile by the rollout.
                    break;
                }
                catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException && attempt < 20)
                {
                    // Throttled (429) or a broken connection: a real kubelet retries its status too.
                    await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken);
                }
            }
        }
    })).ToList();
    var list = await client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=" + name, cancellationToken: cancellationToken);
    await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync("default", labelSelector: "app=" + name, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cancellationToken))
    {
        if (type == WatchEventType.Added)
        {
            await pending.Writer.WriteAsync(pod.Metadata.Name, cancellationToken);
        }
    }

    await Task.WhenAll(workers);
}

// utime + stime of a process, in milliseconds (/proc/PID/stat fields 14 and 15, in clock ticks of 10 ms).
static double CpuMilliseconds(int pid)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
}

static async Task<(double Pods, double Status)> MeasureAsync(Kubernetes client, string name, int replicas)
{
    using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
    var list = await client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=" + name, cancellationToken: stop.Token);
    var seen = new HashSet<string>(StringComparer.Ordinal);
    var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var clock = new Stopwatch();
    var marks = new List<string>();
    var watch = Task.Run(async () =>
    {
        await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync("default", labelSelector: "app=" + name, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: stop.Token))
        {
            if (type == WatchEventType.Added && seen.Add(pod.Metadata.Name) && seen.Count % 100 == 0)
            {
                marks.Add($"{seen.Count}@{clock.Elapsed.TotalSeconds:0.0}s");
            }

            if (seen.Count == replicas)
            {
                all.TrySetResult();
                return;
            }
        }
    });

    clock.Start();
    await client.AppsV1.CreateNamespacedDeploymentAsync(
        new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx:1.27" }] },
                },
            },
        },
        "default",
        cancellationToken: stop.Token);
    await all.Task.WaitAsync(stop.Token);
    var podsSeconds = clock.Elapsed.TotalSeconds;
    while (true)
    {
        var sets = await client.AppsV1.ListNamespacedReplicaSetAsync("default", labelSelector: "app=" + name, cancellationToken: stop.Token);
        if (sets.Items.Sum(rs => rs.Status?.Replicas ?? 0) == replicas)
        {
            break;
        }

        await Task.Delay(20, stop.Token);
    }

    var statusSeconds = clock.Elapsed.TotalSeconds;
    await stop.CancelAsync();
    try
    {
        await watch;
    }
    catch (OperationCanceledException)
    {
    }

    if (replicas >= 100)
    {
        Console.WriteLine("  pods seen: " + string.Join(' ', marks));
    }

    return (podsSeconds, statusSeconds);
}
