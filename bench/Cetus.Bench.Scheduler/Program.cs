using System.Diagnostics;
using System.Globalization;
using Cetus.Testing;
using k8s;
using k8s.Models;

// The scheduler benchmark, like Kubernetes' scheduler_perf SchedulingBasic but through a real `cetus server` (SQLite,
// its in-process scheduler) and `cetus hollow` nodes: C concurrent clients create P small pods (cpu 100m, memory
// 500Mi, as scheduler_perf's default pod) in a fresh namespace; one pod watch opened beforehand timestamps each pod's
// Added event and the first event that carries spec.nodeName. Throughput runs from just before the first create to the
// last pod seen bound; latency is Added → bound per pod. Each size runs --runs times on one server (a new namespace
// per run; earlier runs' pods stay bound, like scheduler_perf's initPods), after --warmup unmeasured runs of up to 1,000
// pods (3 by default: the server's hot code is recompiled by tiered compilation during its first runs). The ceiling: a second server started with
// --disable-scheduler and the same hollow nodes, where the same clients create the same number of pods and then POST
// their bindings themselves (round-robin over the nodes); create + binding per pod is the work the scheduled run
// needs, so scheduled pods/s ÷ ceiling pods/s is the scheduler's share of what the API server could take.
var sizes = new List<(int Nodes, int Pods)> { (500, 1000), (5000, 10000) };
var runs = 3;
// Unmeasured full-size runs first: tiered compilation recompiles the server's hot code during its first runs of load
// (ReadyToRun code, then optimized code after 30 calls, compiled in the background on the same 2 cores), which
// scheduler_perf's Go binary does not have to do. Each warm-up run's rate is printed: the cold figures stay visible.
var warmups = 3;
// At most this many pods per warm-up run: the code paths are the same at any count, and more would only pile up bound
// pods before the measured runs (scheduler_perf's SchedulingBasic has 500 or 1,000 initPods).
const int WarmupPods = 1000;
var clients = 16;
var timeout = TimeSpan.FromMinutes(5);
// Whether the hollow nodes run the pods bound to them: scheduler_perf's nodes do not (no kubelet, so each pod costs a
// create and a binding); with them each bound pod also gets its node's status writes. Both by default.
var modes = new List<bool> { false, true };
// --cycle: the scheduling cycle alone, in this process (CycleBenchmark.cs), instead of the cluster runs.
var cycleOnly = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--sizes":
            sizes = args[++i].Split(',').Select(s => s.Split('x')).Select(p => (int.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
            break;
        case "--runs":
            runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--warmup":
            warmups = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--clients":
            clients = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--run-pods":
            modes = args[++i] switch
            {
                "true" => [true],
                "false" => [false],
                _ => [false, true],
            };
            break;
        case "--cycle":
            cycleOnly = true;
            break;
        case "--timeout":
            timeout = TimeSpan.FromSeconds(double.Parse(args[++i], CultureInfo.InvariantCulture));
            break;
        default:
            Console.Error.WriteLine("usage: Cetus.Bench.Scheduler [--sizes NODESxPODS,...] [--runs R] [--warmup W] [--clients C] [--run-pods false|true|both] [--timeout SECONDS per run] [--cycle]");
            return 2;
    }
}

Console.WriteLine($"# Scheduler benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores; .NET {Environment.Version}; {clients} clients; {warmups} unmeasured warm-up runs, then {runs} runs per size; load average {LoadAverage()}");
if (cycleOnly)
{
    Console.WriteLine($"## The scheduling cycle alone (no API server), {warmups} warm-up runs of up to {WarmupPods} pods, then {runs} runs");
    await Cetus.Bench.Scheduler.CycleBenchmark.RunAsync(sizes, warmups * WarmupPods, runs);
    return 0;
}

var rows = new List<string>();
foreach (var (nodes, pods) in sizes)
{
    foreach (var runPods in modes)
    {
        var mode = runPods ? "yes" : "no";
        Console.WriteLine($"## {nodes} nodes, {pods} pods; nodes run their pods: {mode}");
        var loadBefore = LoadAverage();
        var scheduled = new List<Scheduled>();
        var scheduledCpu = new List<double>();
        await using (var cluster = await Cluster.StartAsync(nodes, clients, [], runPods))
        {
            for (var warmup = 1; warmup <= warmups; warmup++)
            {
                var result = await ScheduleAsync(cluster, $"warmup-{warmup}", Math.Min(pods, WarmupPods), timeout, quiet: true);
                Console.WriteLine($"scheduled warm-up {warmup}: {(result is null ? "timed out" : $"{result.PodsPerSecond:0} pods/s")}");
            }

            for (var run = 1; run <= runs; run++)
            {
                var cpu = cluster.ServerCpuSeconds;
                var hollowCpu = cluster.HollowCpuSeconds;
                var benchCpu = Cluster.BenchCpuSeconds;
                var requests = await cluster.ApiRequestsAsync();
                var gc = await cluster.ServerGcAsync();
                var result = await ScheduleAsync(cluster, $"sched-{run}", pods, timeout, quiet: false);
                if (result is null)
                {
                    break;
                }

                scheduled.Add(result);
                scheduledCpu.Add((cluster.ServerCpuSeconds - cpu) * 1000 / pods);
                Console.WriteLine($"scheduled run {run}: {pods} pods bound in {result.Seconds:0.00} s = {result.PodsPerSecond:0} pods/s; latency p50 {result.P50 * 1000:0} ms, p99 {result.P99 * 1000:0} ms; server CPU {scheduledCpu[^1]:0.00} ms per pod, hollow CPU {(cluster.HollowCpuSeconds - hollowCpu) * 1000 / pods:0.00}, benchmark's clients CPU {(Cluster.BenchCpuSeconds - benchCpu) * 1000 / pods:0.00}; load average {LoadAverage()}");
                Console.WriteLine($"  API requests per pod: {await cluster.RequestsPerPodSinceAsync(requests, pods)}; server {await cluster.ServerGcPerPodSinceAsync(gc, pods)}");
            }
        }

        var ceiling = new List<Ceiling>();
        var ceilingCpu = new List<double>();
        await using (var cluster = await Cluster.StartAsync(nodes, clients, ["--disable-scheduler"], runPods))
        {
            for (var warmup = 1; warmup <= warmups; warmup++)
            {
                var result = await BindAsync(cluster, $"warmup-{warmup}", Math.Min(pods, WarmupPods), timeout);
                Console.WriteLine($"ceiling warm-up {warmup}: {(result is null ? "timed out" : $"{result.PodsPerSecond:0} pods/s")}");
            }

            for (var run = 1; run <= runs; run++)
            {
                var cpu = cluster.ServerCpuSeconds;
                var hollowCpu = cluster.HollowCpuSeconds;
                var benchCpu = Cluster.BenchCpuSeconds;
                var requests = await cluster.ApiRequestsAsync();
                var gc = await cluster.ServerGcAsync();
                var result = await BindAsync(cluster, $"bind-{run}", pods, timeout);
                if (result is null)
                {
                    break;
                }

                ceiling.Add(result);
                ceilingCpu.Add((cluster.ServerCpuSeconds - cpu) * 1000 / pods);
                Console.WriteLine($"ceiling run {run}: {pods} creates in {result.CreateSeconds:0.00} s ({pods / result.CreateSeconds:0}/s), {pods} bindings in {result.BindSeconds:0.00} s ({pods / result.BindSeconds:0}/s) = {result.PodsPerSecond:0} pods/s; server CPU {ceilingCpu[^1]:0.00} ms per pod (creates {result.CreateCpu * 1000 / pods:0.00}, bindings {result.BindCpu * 1000 / pods:0.00}), hollow CPU {(cluster.HollowCpuSeconds - hollowCpu) * 1000 / pods:0.00}, benchmark's clients CPU {(Cluster.BenchCpuSeconds - benchCpu) * 1000 / pods:0.00}; load average {LoadAverage()}");
                Console.WriteLine($"  API requests per pod: {await cluster.RequestsPerPodSinceAsync(requests, pods)}; server {await cluster.ServerGcPerPodSinceAsync(gc, pods)}");
            }
        }

        if (scheduled.Count == 0 || ceiling.Count == 0)
        {
            rows.Add($"| {nodes:N0} | {pods:N0} | {mode} | timed out ({scheduled.Count} scheduled and {ceiling.Count} ceiling runs within {timeout.TotalSeconds:0} s) | | | | | | {loadBefore} → {LoadAverage()} |");
            continue;
        }

        var median = scheduled.OrderBy(r => r.PodsPerSecond).ElementAt(scheduled.Count / 2);
        var rates = scheduled.Select(r => r.PodsPerSecond).Order().ToList();
        var top = ceiling.Select(r => r.PodsPerSecond).Order().ToList();
        var binds = ceiling.Select(r => pods / r.BindSeconds).Order().ToList();
        var ratio = rates[rates.Count / 2] / top[top.Count / 2];
        var cpuScheduled = scheduledCpu.Order().ElementAt(scheduledCpu.Count / 2);
        var cpuCeiling = ceilingCpu.Order().ElementAt(ceilingCpu.Count / 2);
        rows.Add($"| {nodes:N0} | {pods:N0} | {mode} | {rates[rates.Count / 2]:N0} ({rates[0]:N0}–{rates[^1]:N0}) | {median.P50 * 1000:0} / {median.P99 * 1000:0} ms | " +
                 $"{top[top.Count / 2]:N0} ({top[0]:N0}–{top[^1]:N0}) | {binds[binds.Count / 2]:N0} | {ratio:P0} | {cpuScheduled:0.00} / {cpuCeiling:0.00} | {loadBefore} → {LoadAverage()} |");
    }
}

Console.WriteLine();
Console.WriteLine("| nodes | pods | nodes run their pods | scheduled pods/s: median (min–max) | latency p50 / p99 (median run) | ceiling create+bind pods/s: median (min–max) | ceiling bindings/s alone | scheduled ÷ ceiling | server CPU ms per pod: scheduled / ceiling (median) | load average (1/5/15 min) before → after |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
foreach (var row in rows)
{
    Console.WriteLine(row);
}

return 0;

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

static V1Pod NewPod(string name) => new()
{
    Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "bench" } },
    Spec = new V1PodSpec
    {
        Containers =
        [
            new V1Container
            {
                Name = "pause",
                Image = "registry.k8s.io/pause:3.10",
                Resources = new V1ResourceRequirements
                {
                    Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("500Mi") },
                },
            },
        ],
    },
};

// Runs `count` creates spread over the cluster's clients (each client takes the next index until none are left).
static Task CreateAllAsync(Cluster cluster, string ns, int count, Func<Kubernetes, int, Task> each, CancellationToken cancel)
{
    var next = -1;
    return Task.WhenAll(cluster.Clients.Select(client => Task.Run(
        async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                await each(client, i);
            }
        },
        cancel)));
}

static async Task<Scheduled?> ScheduleAsync(Cluster cluster, string ns, int count, TimeSpan timeout, bool quiet)
{
    using var stop = new CancellationTokenSource(timeout);
    await cluster.Watcher.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: stop.Token);
    var list = await cluster.Watcher.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: stop.Token);
    var clock = Stopwatch.StartNew();
    var added = new Dictionary<string, double>(StringComparer.Ordinal);
    var bound = new Dictionary<string, double>(StringComparer.Ordinal);
    var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var step = Math.Max(1, count / 10);
    var watch = Task.Run(async () =>
    {
        await foreach (var (type, pod) in cluster.Watcher.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: stop.Token))
        {
            var now = clock.Elapsed.TotalSeconds;
            var name = pod.Metadata.Name;
            if (type == WatchEventType.Added)
            {
                added.TryAdd(name, now);
            }

            if (!string.IsNullOrEmpty(pod.Spec?.NodeName) && bound.TryAdd(name, now))
            {
                if (!quiet && bound.Count % step == 0)
                {
                    Console.WriteLine($"  {bound.Count}/{count} bound after {now:0.00} s");
                }

                if (bound.Count == count)
                {
                    all.TrySetResult();
                    return;
                }
            }
        }
    });

    var start = clock.Elapsed.TotalSeconds;
    var created = 0.0;
    try
    {
        await CreateAllAsync(cluster, ns, count, (client, i) => client.CoreV1.CreateNamespacedPodAsync(NewPod($"p-{i}"), ns, cancellationToken: stop.Token), stop.Token);
        created = clock.Elapsed.TotalSeconds;
        await Task.WhenAny(all.Task, watch).Unwrap().WaitAsync(stop.Token);
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        Console.WriteLine($"  {ns}: timed out after {timeout.TotalSeconds:0} s with {bound.Count}/{count} pods bound");
        return null;
    }

    if (!all.Task.IsCompleted)
    {
        throw new InvalidOperationException($"the pod watch ended with {bound.Count}/{count} pods bound");
    }

    var end = bound.Values.Max();
    await stop.CancelAsync();
    try
    {
        await watch;
    }
    catch (OperationCanceledException)
    {
    }

    if (!quiet)
    {
        Console.WriteLine($"  all {count} created after {created - start:0.00} s");
    }

    var latencies = bound.Select(b => Math.Max(0, b.Value - added.GetValueOrDefault(b.Key, start))).Order().ToList();
    return new Scheduled(end - start, count / (end - start), Percentile(latencies, 0.50), Percentile(latencies, 0.99));
}

static async Task<Ceiling?> BindAsync(Cluster cluster, string ns, int count, TimeSpan timeout)
{
    using var stop = new CancellationTokenSource(timeout);
    await cluster.Watcher.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: stop.Token);
    var clock = Stopwatch.StartNew();
    var cpu = cluster.ServerCpuSeconds;
    try
    {
        await CreateAllAsync(cluster, ns, count, (client, i) => client.CoreV1.CreateNamespacedPodAsync(NewPod($"p-{i}"), ns, cancellationToken: stop.Token), stop.Token);
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        Console.WriteLine($"  {ns}: creates timed out after {timeout.TotalSeconds:0} s");
        return null;
    }

    var created = clock.Elapsed.TotalSeconds;
    var createCpu = cluster.ServerCpuSeconds - cpu;
    try
    {
        await CreateAllAsync(
            cluster,
            ns,
            count,
            (client, i) => client.CoreV1.CreateNamespacedPodBindingAsync(
                new V1Binding
                {
                    Metadata = new V1ObjectMeta { Name = $"p-{i}" },
                    Target = new V1ObjectReference { Kind = "Node", Name = $"hollow-{i % cluster.Nodes}" },
                },
                $"p-{i}",
                ns,
                cancellationToken: stop.Token),
            stop.Token);
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        Console.WriteLine($"  {ns}: bindings timed out after {timeout.TotalSeconds:0} s");
        return null;
    }

    var bound = clock.Elapsed.TotalSeconds - created;
    return new Ceiling(created, bound, count / (created + bound), createCpu, cluster.ServerCpuSeconds - cpu - createCpu);
}

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

internal sealed record Scheduled(double Seconds, double PodsPerSecond, double P50, double P99);

internal sealed record Ceiling(double CreateSeconds, double BindSeconds, double PodsPerSecond, double CreateCpu, double BindCpu);

/// <summary>A real server (SQLite) with N hollow nodes and the benchmark's clients (one watcher, C writers).</summary>
internal sealed class Cluster : IAsyncDisposable
{
    private readonly CetusServerProcess _server;
    private readonly CetusHollowProcess _hollow;

    private Cluster(CetusServerProcess server, CetusHollowProcess hollow, int nodes, int clients)
    {
        _server = server;
        _hollow = hollow;
        Nodes = nodes;
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(server.Kubeconfig);
        Watcher = new Kubernetes(config, new Cetus.Client.Http.WatchConnectionHandler());
        Clients = Enumerable.Range(0, clients).Select(_ => new Kubernetes(config)).ToList();
    }

    public int Nodes { get; }

    /// <summary>The CPU time the server process has used so far (its API server, controllers and scheduler).</summary>
    public double ServerCpuSeconds => ProcessCpu(_server.ProcessId);

    /// <summary>The CPU time this process (the benchmark's clients and pod watch) has used so far.</summary>
    public static double BenchCpuSeconds => ProcessCpu(Environment.ProcessId);

    /// <summary>The CPU time the hollow nodes' process has used so far.</summary>
    public double HollowCpuSeconds => ProcessCpu(_hollow.ProcessId);

    /// <summary>The API server's request counters (apiserver_request_total) summed by verb and resource.</summary>
    public Task<Dictionary<string, double>> ApiRequestsAsync() => ApiRequestCounts.ReadAsync(Watcher.HttpClient, Watcher.BaseUri);

    /// <summary>The requests served since <paramref name="before"/>, per pod, largest first ("POST pods 1.00, …").</summary>
    public async Task<string> RequestsPerPodSinceAsync(Dictionary<string, double> before, int pods)
    {
        var after = await ApiRequestsAsync();
        return string.Join(", ", after.Select(kv => (kv.Key, PerPod: (kv.Value - before.GetValueOrDefault(kv.Key)) / pods))
            .Where(r => r.PerPod >= 0.005).OrderByDescending(r => r.PerPod).Select(r => $"{r.Key} {r.PerPod:0.00}"));
    }

    /// <summary>The server process's bytes allocated, collector pause seconds and gen0/1/2 collections so far (its /metrics).</summary>
    public async Task<double[]> ServerGcAsync()
    {
        var samples = await MetricSamples.ReadAsync(Watcher.HttpClient, Watcher.BaseUri);
        return
        [
            samples.GetValueOrDefault("dotnet_gc_allocated_bytes_total"),
            samples.GetValueOrDefault("dotnet_gc_pause_seconds_total"),
            .. Enumerable.Range(0, 3).Select(g => samples.GetValueOrDefault($"dotnet_collection_count_total{{generation=\"{g}\"}}")),
        ];
    }

    /// <summary>What the server's collector did since <paramref name="before"/>, per pod ("allocated 180 KB, paused 0.05 ms per pod; collections 40/12/0").</summary>
    public async Task<string> ServerGcPerPodSinceAsync(double[] before, int pods)
    {
        var after = await ServerGcAsync();
        return $"allocated {(after[0] - before[0]) / pods / 1024:0} KB, paused {(after[1] - before[1]) * 1000 / pods:0.000} ms per pod; gen0/1/2 collections {after[2] - before[2]:0}/{after[3] - before[3]:0}/{after[4] - before[4]:0}";
    }

    public Kubernetes Watcher { get; }

    public IReadOnlyList<Kubernetes> Clients { get; }

    public static async Task<Cluster> StartAsync(int nodes, int clients, IReadOnlyList<string> serverArguments, bool runPods)
    {
        var clock = Stopwatch.StartNew();
        var server = await CetusServerProcess.StartAsync(arguments: serverArguments);
        try
        {
            var hollow = await CetusHollowProcess.StartAsync(server.Kubeconfig, ["--nodes", nodes.ToString(CultureInfo.InvariantCulture), "--run-pods", runPods ? "true" : "false"], TimeSpan.FromMinutes(5));
            Console.WriteLine($"server {string.Join(' ', serverArguments)} with {nodes} hollow nodes ready after {clock.Elapsed.TotalSeconds:0.0} s");
            return new Cluster(server, hollow, nodes, clients);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    // User + system CPU seconds of a process (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s).
    private static double ProcessCpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public async ValueTask DisposeAsync()
    {
        Watcher.Dispose();
        foreach (var client in Clients)
        {
            client.Dispose();
        }

        await _hollow.DisposeAsync();
        await _server.DisposeAsync();
    }
}
