using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Cetus.Cri.V1;
using Cetus.Testing;
using k8s;
using k8s.Models;

// The pod startup benchmark (issue 7), as Kubernetes' pod startup SLO measures it: from a pod's creation to all of its
// containers started, observed via a watch (image pulls excluded: the image is already on the node). P pods (busybox
// `sleep`, one container) arrive at a steady rate (--rate pods/s, as Kubernetes' density tests create pods at a set
// throughput rather than all at once) against a real `cetus up` on the machine's containerd; a pod watch opened
// beforehand timestamps the first event in which every container is running. The clock starts just before each
// pod's create request (creationTimestamp has only one-second resolution). In the same run, the raw CRI cost of the
// same pods arriving at the same rate: RunPodSandbox + CreateContainer + StartContainer called directly on
// containerd, timed per pod; the ratios compare the two. --rate 0 sends everything at once (C at a time). Also: `cetus up` from process start to a Ready node,
// and its RSS once idle with no pods (the largest of samples every 5 s over --idle-seconds, 60 by default).
var pods = 100;
var clients = 16;
var runs = 2;
var rate = 5.0;
var automount = true;
var idleSeconds = 60;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--pods":
            pods = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--clients":
            clients = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--runs":
            runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--rate":
            rate = double.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--idle-seconds":
            idleSeconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--no-token-volume":
            // automountServiceAccountToken: false — no kube-api-access volume (token request, tmpfs) per pod.
            automount = false;
            break;
        default:
            Console.Error.WriteLine("usage: Cetus.Bench.Pods [--pods P] [--rate PODS_PER_SECOND] [--clients C] [--runs R] [--idle-seconds S] [--no-token-volume]");
            return 2;
    }
}

Console.WriteLine($"# Pod startup benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores; .NET {Environment.Version}; {pods} pods at {(rate > 0 ? $"{rate} pods/s" : "once")}, {clients} clients, {runs} runs{(automount ? string.Empty : ", no service-account token volume")}; load average {LoadAverage()}");
await using var containerd = await Containerd.StartAsync();
var version = await containerd.Runtime.VersionAsync(CancellationToken.None);
Console.WriteLine($"runtime: {version.RuntimeName} {version.RuntimeVersion}");

var rows = new List<string>();
for (var run = 1; run <= runs; run++)
{
    var raw = await RawCriAsync(containerd, pods, clients, rate);
    Console.WriteLine($"raw CRI run {run}: p50 {raw.P50 * 1000:0} ms, p99 {raw.P99 * 1000:0} ms, {pods} pods in {raw.Seconds:0.00} s; machine CPU busy {raw.MachineBusy:P0}; load average {LoadAverage()}");

    var clock = Stopwatch.StartNew();
    await using var cluster = await CetusServerProcess.StartUpAsync(containerd.Endpoint, "bench");
    using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.Kubeconfig), new Cetus.Client.Http.WatchConnectionHandler());
    await WaitForNodeReadyAsync(client, "bench");
    var toReady = clock.Elapsed.TotalSeconds;
    // Idle RSS: the largest of samples every 5 s for the idle period (a young generation fills and a leak grows only
    // after the first seconds; one early sample hid both).
    var idleSamples = new List<double>();
    for (var waited = 0; waited < idleSeconds; waited += 5)
    {
        await Task.Delay(TimeSpan.FromSeconds(5));
        idleSamples.Add(RssMegabytes(cluster.ProcessId));
    }

    var idleRss = idleSamples.Count > 0 ? idleSamples.Max() : RssMegabytes(cluster.ProcessId);
    Console.WriteLine($"cetus up run {run}: process start → node Ready {toReady:0.00} s; idle RSS {idleRss:0} MB (largest over {idleSeconds} s: {string.Join(" ", idleSamples.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))})");

    var cetusCpu = ProcessCpuSeconds(cluster.ProcessId);
    var requests = await ApiRequestsAsync(client);
    var cetus = await CetusAsync(client, containerd, $"bench-{run}", pods, clients, rate, automount);
    cetusCpu = ProcessCpuSeconds(cluster.ProcessId) - cetusCpu;
    var made = (await ApiRequestsAsync(client)).Select(r => (r.Key, Count: r.Value - requests.GetValueOrDefault(r.Key))).Where(r => r.Count > 0).OrderByDescending(r => r.Count).ToList();
    Console.WriteLine($"cetus run {run}: p50 {cetus.P50 * 1000:0} ms, p99 {cetus.P99 * 1000:0} ms, {pods} pods in {cetus.Seconds:0.00} s = {cetus.P50 / raw.P50:0.00}× / {cetus.P99 / raw.P99:0.00}× raw; load average {LoadAverage()}");
    Console.WriteLine($"  CPU: `cetus up` used {cetusCpu:0.0} s ({cetusCpu * 1000 / pods:0} ms per pod); machine CPU busy {cetus.MachineBusy:P0} (raw CRI: {raw.MachineBusy:P0})");
    Console.WriteLine($"  API requests: {made.Sum(r => r.Count) / (double)pods:0.0} per pod ({string.Join(", ", made.Take(12).Select(r => $"{r.Key} {r.Count / (double)pods:0.0}"))})");
    rows.Add($"| {run} | {cetus.P50 * 1000:0} | {cetus.P99 * 1000:0} | {raw.P50 * 1000:0} | {raw.P99 * 1000:0} | {cetus.P50 / raw.P50:0.00}× / {cetus.P99 / raw.P99:0.00}× | {toReady:0.00} | {idleRss:0} | {LoadAverage()} |");
    await cluster.StopAsync();
    await containerd.RemoveSandboxesAsync();
}

Console.WriteLine();
Console.WriteLine("| run | startup p50 ms | p99 ms | raw CRI p50 ms | raw p99 ms | ratio p50 / p99 | `cetus up` → Ready s | idle RSS MB | load average |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
foreach (var row in rows)
{
    Console.WriteLine(row);
}

return 0;

// Runs each(i) for i in 0..count-1: at t0 + i/rate when rate > 0 (each on its own), else concurrency at a time.
static async Task PaceAsync(int count, int concurrency, double rate, Func<int, CancellationToken, ValueTask> each, CancellationToken cancellationToken)
{
    if (rate <= 0)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, each);
        return;
    }

    var start = Stopwatch.GetTimestamp();
    var running = new List<Task>();
    for (var i = 0; i < count; i++)
    {
        var due = TimeSpan.FromSeconds(i / rate) - Stopwatch.GetElapsedTime(start);
        if (due > TimeSpan.Zero)
        {
            await Task.Delay(due, cancellationToken);
        }

        var index = i;
        running.Add(Task.Run(async () => await each(index, cancellationToken), cancellationToken));
    }

    await Task.WhenAll(running);
}

static async Task<Timings> RawCriAsync(Containerd containerd, int count, int concurrency, double rate)
{
    var runtime = containerd.Runtime;
    var latencies = new ConcurrentBag<double>();
    var sandboxes = new ConcurrentBag<string>();
    var machine = MachineCpu.Read();
    var clock = Stopwatch.StartNew();
    await PaceAsync(count, concurrency, rate, async (i, ct) =>
    {
        var started = Stopwatch.GetTimestamp();
        var uid = Guid.NewGuid().ToString();
        var name = $"raw-{i}";
        var sandboxConfig = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Namespace = "bench-raw", Uid = uid },
            Hostname = name,
            LogDirectory = $"/var/log/pods/bench-raw_{name}_{uid}",
            Labels = { ["io.kubernetes.pod.uid"] = uid },
            Linux = new LinuxPodSandboxConfig { CgroupParent = $"/kubepods/besteffort/pod{uid}" },
        };
        var sandbox = await runtime.RunPodSandboxAsync(sandboxConfig, string.Empty, ct);
        sandboxes.Add(sandbox);
        var container = await runtime.CreateContainerAsync(
            sandbox,
            new ContainerConfig
            {
                Metadata = new ContainerMetadata { Name = "sleep" },
                Image = new ImageSpec { Image = Containerd.BusyboxImage },
                Command = { "sleep", "3600" },
                LogPath = "sleep/0.log",
            },
            sandboxConfig,
            ct);
        await runtime.StartContainerAsync(container, ct);
        latencies.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }, CancellationToken.None);
    var seconds = clock.Elapsed.TotalSeconds;
    var busy = MachineCpu.Read().BusySince(machine);
    await Parallel.ForEachAsync(sandboxes, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (id, ct) =>
    {
        await runtime.StopPodSandboxAsync(id, ct);
        await runtime.RemovePodSandboxAsync(id, ct);
    });
    return Timings.Of(latencies, seconds) with { MachineBusy = busy };
}

static async Task<Timings> CetusAsync(Kubernetes client, Containerd containerd, string ns, int count, int concurrency, double rate, bool automount)
{
    // Wall-clock create times, to place containerd's own timestamps (nanoseconds since the epoch) on the same axis.
    var createdWall = new ConcurrentDictionary<string, long>();
    await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
    var createdAt = new ConcurrentDictionary<string, long>();
    var latencies = new ConcurrentDictionary<string, double>();
    var bound = new ConcurrentDictionary<string, double>();
    var sandboxed = new ConcurrentDictionary<string, double>();
    var allRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
    var list = await client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: cancel.Token);
    var watch = Task.Run(async () =>
    {
        await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cancel.Token))
        {
            var now = Stopwatch.GetTimestamp();
            var statuses = pod.Status?.ContainerStatuses;
            if (createdAt.TryGetValue(pod.Metadata.Name, out var created))
            {
                if (!string.IsNullOrEmpty(pod.Spec.NodeName))
                {
                    bound.TryAdd(pod.Metadata.Name, Stopwatch.GetElapsedTime(created, now).TotalSeconds);
                }

                if (!string.IsNullOrEmpty(pod.Status?.PodIP))
                {
                    sandboxed.TryAdd(pod.Metadata.Name, Stopwatch.GetElapsedTime(created, now).TotalSeconds);
                }
            }

            if (type != WatchEventType.Deleted && statuses is { Count: > 0 } && statuses.Count == pod.Spec.Containers.Count && statuses.All(s => s.State?.Running is not null)
                && createdAt.TryGetValue(pod.Metadata.Name, out var start) && latencies.TryAdd(pod.Metadata.Name, Stopwatch.GetElapsedTime(start, now).TotalSeconds)
                && latencies.Count == count)
            {
                allRunning.TrySetResult();
            }
        }
    });
    var machine = MachineCpu.Read();
    var clock = Stopwatch.StartNew();
    await PaceAsync(count, concurrency, rate, async (i, ct) =>
    {
        var name = $"pod-{i}";
        createdAt[name] = Stopwatch.GetTimestamp();
        createdWall[name] = DateTime.UtcNow.Ticks;
        await client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1PodSpec
                {
                    TerminationGracePeriodSeconds = 0,
                    AutomountServiceAccountToken = automount ? null : false,
                    Containers = [new V1Container { Name = "sleep", Image = Containerd.BusyboxImage, Command = ["sleep", "3600"] }],
                },
            },
            ns,
            cancellationToken: ct);
    }, cancel.Token);
    await allRunning.Task.WaitAsync(cancel.Token);
    var seconds = clock.Elapsed.TotalSeconds;
    var busy = MachineCpu.Read().BusySince(machine);
    await cancel.CancelAsync();
    try
    {
        await watch;
    }
    catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
    {
    }

    var b = Timings.Of(bound.Values, seconds);
    var ip = Timings.Of(sandboxed.Values, seconds);
    Console.WriteLine($"  stages (p50 / p99 from create): bound {b.P50 * 1000:0} / {b.P99 * 1000:0} ms; pod IP reported {ip.P50 * 1000:0} / {ip.P99 * 1000:0} ms; all containers running {Timings.Of(latencies.Values, seconds).P50 * 1000:0} ms");
    await PrintRuntimeStagesAsync(containerd, ns, createdWall, latencies, seconds);
    return Timings.Of(latencies.Values, seconds) with { MachineBusy = busy };
}

// Where each pod's time went, from containerd's timestamps: sandbox requested (its created_at is taken when
// RunPodSandbox begins), container created (CreateContainer begins), container started (its process runs), and the
// running status observed through the watch.
static async Task PrintRuntimeStagesAsync(Containerd containerd, string ns, ConcurrentDictionary<string, long> createdWall, ConcurrentDictionary<string, double> observed, double seconds)
{
    var sandboxes = await containerd.Runtime.ListPodSandboxAsync(null, CancellationToken.None);
    var sandboxAt = new Dictionary<string, double>();
    var podOfSandbox = new Dictionary<string, string>();
    foreach (var sandbox in sandboxes.Where(s => s.Metadata.Namespace == ns && createdWall.ContainsKey(s.Metadata.Name)))
    {
        podOfSandbox[sandbox.Id] = sandbox.Metadata.Name;
        sandboxAt[sandbox.Metadata.Name] = SecondsAfter(createdWall[sandbox.Metadata.Name], sandbox.CreatedAt);
    }

    var containerCreated = new Dictionary<string, double>();
    var containerStarted = new Dictionary<string, double>();
    foreach (var container in await containerd.Runtime.ListContainersAsync(null, CancellationToken.None))
    {
        if (!podOfSandbox.TryGetValue(container.PodSandboxId, out var pod))
        {
            continue;
        }

        var status = await containerd.Runtime.ContainerStatusAsync(container.Id, CancellationToken.None);
        containerCreated[pod] = SecondsAfter(createdWall[pod], status.CreatedAt);
        containerStarted[pod] = SecondsAfter(createdWall[pod], status.StartedAt);
    }

    if (sandboxAt.Count == 0 || containerStarted.Count == 0)
    {
        return;
    }

    var sandboxTime = containerCreated.Keys.Select(p => containerCreated[p] - sandboxAt[p]);
    var startTime = containerStarted.Keys.Select(p => containerStarted[p] - containerCreated[p]);
    var reportTime = containerStarted.Keys.Where(observed.ContainsKey).Select(p => observed[p] - containerStarted[p]);
    static string Both(Timings t) => $"{t.P50 * 1000:0} / {t.P99 * 1000:0} ms";
    Console.WriteLine($"  from containerd (p50 / p99): create → sandbox requested {Both(Timings.Of(sandboxAt.Values, seconds))}; sandbox requested → container created {Both(Timings.Of(sandboxTime, seconds))}; created → started {Both(Timings.Of(startTime, seconds))}; started → running seen by the watch {Both(Timings.Of(reportTime, seconds))}");
}

static double SecondsAfter(long createdTicks, long unixNanos) =>
    (DateTime.UnixEpoch.AddTicks(unixNanos / 100).Ticks - createdTicks) / (double)TimeSpan.TicksPerSecond;

static async Task WaitForNodeReadyAsync(Kubernetes client, string name)
{
    var deadline = DateTime.UtcNow.AddMinutes(1);
    while (DateTime.UtcNow < deadline)
    {
        try
        {
            var node = await client.CoreV1.ReadNodeAsync(name);
            if (node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
            {
                return;
            }
        }
        catch (k8s.Autorest.HttpOperationException)
        {
        }

        await Task.Delay(20);
    }

    throw new TimeoutException($"node {name} not Ready within a minute");
}

static double RssMegabytes(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}

// The API server's request counters (apiserver_request_total) summed by verb, resource and subresource.
static Task<Dictionary<string, double>> ApiRequestsAsync(Kubernetes client) => ApiRequestCounts.ReadAsync(client.HttpClient, client.BaseUri);

// User + system CPU seconds the process has used (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s).
static double ProcessCpuSeconds(int pid)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

// The machine's CPU time from the first line of /proc/stat, to tell how busy all cores were between two readings.
internal readonly record struct MachineCpu(long Busy, long Total)
{
    public static MachineCpu Read()
    {
        var values = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = values[3] + values[4];
        var total = values.Take(8).Sum();
        return new MachineCpu(total - idle, total);
    }

    public double BusySince(MachineCpu start) => Total == start.Total ? 0 : (double)(Busy - start.Busy) / (Total - start.Total);
}

internal sealed record Timings(double P50, double P99, double Seconds)
{
    // How busy all cores were while the pods were being created (0–1), when measured.
    public double MachineBusy { get; init; }

    public static Timings Of(IEnumerable<double> latencies, double seconds)
    {
        var sorted = latencies.OrderBy(l => l).ToList();
        return new Timings(sorted[(sorted.Count - 1) / 2], sorted[(int)Math.Ceiling(sorted.Count * 0.99) - 1], seconds);
    }
}
