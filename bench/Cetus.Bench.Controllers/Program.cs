using System.Diagnostics;
using System.Globalization;
using Cetus.Testing;
using k8s;
using k8s.Models;

// The controller benchmark: a real `cetus server` (SQLite, its in-process controller manager); the time from creating
// a Deployment of N replicas until N pods exist (seen on a pod watch opened beforehand), and until the ReplicaSet's
// status reports them. Runs each size once per --runs (a fresh Deployment each time).
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
using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Kubeconfig));

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

var pods = results.Select(r => r.Pods).Order().ToList();
var status = results.Select(r => r.Status).Order().ToList();
Console.WriteLine();
Console.WriteLine("| replicas | pods exist: median (min–max) | ReplicaSet status: median (min–max) |");
Console.WriteLine("| --- | --- | --- |");
Console.WriteLine($"| {replicas:N0} | {pods[pods.Count / 2]:0.00} s ({pods[0]:0.00}–{pods[^1]:0.00}) | {status[status.Count / 2]:0.00} s ({status[0]:0.00}–{status[^1]:0.00}) |");
return 0;

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
