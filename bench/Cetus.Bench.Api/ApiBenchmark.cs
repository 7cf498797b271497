using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Cetus.Bench.Api;

/// <summary>Throughput and latency of the API server over one datastore, with the raw datastore measured alongside.</summary>
internal sealed class ApiBenchmark(Target target, TimeSpan duration, int watchers, bool http2)
{
    private const int ListPods = 10_000;
    private static readonly int[] ClientCounts = [1, 16];
    private int _round;

    private static string Pod(string name) =>
        $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","labels":{"app":"bench"}},"spec":{"containers":[{"name":"app","image":"busybox:1.35","command":["sleep","3600"]}]}}""";

    public async Task RunAsync()
    {
        using var client = target.Server.CreateClient(maxConnections: 64, http2: http2);
        Console.WriteLine();
        Console.WriteLine($"## {target.Name}");
        Console.WriteLine("| clients | raw store creates/s | API pod creates/s | API ÷ raw | API GETs/s | Lease renewals (PUT)/s | HTTP floor: GET /version/s | CPU µs per raw create / API create / GET / renewal / GET /version | KB allocated per (same) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var clients in ClientCounts)
        {
            var ns = await NamespaceAsync(client);
            Progress($"{clients} clients: raw store creates");
            var raw = await MeasureAsync(clients, async (c, n) =>
            {
                var result = await target.Store.CreateAsync($"/registry/raw-bench/{_round}/{c}/{n}", Encoding.UTF8.GetBytes(Pod($"p-{c}-{n}")));
                Check(result.Succeeded, "raw create");
            });
            var created = new ConcurrentBag<string>();
            Progress($"{clients} clients: API pod creates");
            var creates = await MeasureAsync(clients, async (c, n) =>
            {
                var name = $"p-{c}-{n}";
                using var response = await client.PostAsync($"/api/v1/namespaces/{ns}/pods", Json(Pod(name)));
                Check(response.StatusCode == HttpStatusCode.Created, $"create: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                created.Add(name);
            });
            var names = created.ToArray();
            Progress($"{clients} clients: API GETs");
            var gets = await MeasureAsync(clients, async (c, n) =>
            {
                using var response = await client.GetAsync($"/api/v1/namespaces/{ns}/pods/{names[(c * 7919 + n) % names.Length]}");
                Check(response.StatusCode == HttpStatusCode.OK, "get");
                await response.Content.ReadAsByteArrayAsync();
            });
            Progress($"{clients} clients: Lease renewals");
            var versions = new string[clients];
            for (var c = 0; c < clients; c++)
            {
                using var response = await client.PostAsync($"/apis/coordination.k8s.io/v1/namespaces/{ns}/leases", Json(Lease($"node-{c}", null, DateTime.UtcNow)));
                Check(response.StatusCode == HttpStatusCode.Created, "lease create");
                versions[c] = ResourceVersion(await response.Content.ReadAsByteArrayAsync());
            }

            var renewals = await MeasureAsync(clients, async (c, _) =>
            {
                using var response = await client.PutAsync($"/apis/coordination.k8s.io/v1/namespaces/{ns}/leases/node-{c}", Json(Lease($"node-{c}", versions[c], DateTime.UtcNow)));
                Check(response.StatusCode == HttpStatusCode.OK, $"lease renewal: {response.StatusCode}");
                versions[c] = ResourceVersion(await response.Content.ReadAsByteArrayAsync());
            });
            Progress($"{clients} clients: GET /version");
            var floor = await MeasureAsync(clients, async (_, _) =>
            {
                using var response = await client.GetAsync("/version");
                Check(response.StatusCode == HttpStatusCode.OK, "version");
                await response.Content.ReadAsByteArrayAsync();
            });
            _round++;
            Console.WriteLine($"| {clients} | {Rate(raw.Rate)} | {Rate(creates.Rate)} | {creates.Rate / raw.Rate:P0} | {Rate(gets.Rate)} | {Rate(renewals.Rate)} | {Rate(floor.Rate)} | {raw.CpuMicroseconds:0} / {creates.CpuMicroseconds:0} / {gets.CpuMicroseconds:0} / {renewals.CpuMicroseconds:0} / {floor.CpuMicroseconds:0} | {raw.AllocatedKb:0.0} / {creates.AllocatedKb:0.0} / {gets.AllocatedKb:0.0} / {renewals.AllocatedKb:0.0} / {floor.AllocatedKb:0.0} |");
        }

        await MeasureListAsync(client);
        await MeasureWatchAsync();
    }

    private async Task MeasureListAsync(HttpClient client)
    {
        var ns = await NamespaceAsync(client);
        Console.WriteLine($"creating {ListPods} pods to list …");
        await Parallel.ForEachAsync(Enumerable.Range(0, ListPods), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            using var response = await client.PostAsync($"/api/v1/namespaces/{ns}/pods", Json(Pod($"l-{i:d5}")), ct);
            Check(response.StatusCode == HttpStatusCode.Created, "create for list");
        });
        var consistent = new List<double>();
        var cached = new List<double>();
        for (var run = 0; run < 5; run++)
        {
            consistent.Add(await TimeListAsync(client, $"/api/v1/namespaces/{ns}/pods"));
            cached.Add(await TimeListAsync(client, $"/api/v1/namespaces/{ns}/pods?resourceVersion=0"));
        }

        Console.WriteLine();
        Console.WriteLine($"LIST of {ListPods} pods: {Median(consistent):0} ms consistent (no resourceVersion), {Median(cached):0} ms with resourceVersion=0 — median of 5");
    }

    private static async Task<double> TimeListAsync(HttpClient client, string url)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        var items = JsonNode.Parse(body)!["items"]!.AsArray().Count;
        Check(items == ListPods, $"listed {items} pods");
        return elapsed;
    }

    /// <summary>
    /// Watchers each hold a watch on one namespace; one writer creates pods there at a steady pace; latency runs from
    /// the create's response to each watcher's receipt of the ADDED event.
    /// </summary>
    private async Task MeasureWatchAsync()
    {
        using var control = target.Server.CreateClient();
        var ns = await NamespaceAsync(control);
        var list = JsonNode.Parse(await control.GetStringAsync($"/api/v1/namespaces/{ns}/pods"))!;
        var rv = (string)list["metadata"]!["resourceVersion"]!;
        const int writes = 100;
        var acknowledged = new ConcurrentDictionary<string, long>();
        var received = new ConcurrentBag<(string Name, long At)>();
        using var watchClient = target.Server.CreateClient(maxConnections: watchers + 8);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var ready = 0;
        Console.WriteLine($"opening {watchers} watches …");
        var watching = Enumerable.Range(0, watchers).Select(_ => Task.Run(async () =>
        {
            using var response = await watchClient.GetAsync($"/api/v1/namespaces/{ns}/pods?watch=true&resourceVersion={rv}&timeoutSeconds=300", HttpCompletionOption.ResponseHeadersRead, stop.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            Interlocked.Increment(ref ready);
            for (var seen = 0; seen < writes;)
            {
                var line = await reader.ReadLineAsync(stop.Token) ?? throw new InvalidOperationException("the watch ended early");
                var at = Stopwatch.GetTimestamp();
                var name = (string)JsonNode.Parse(line)!["object"]!["metadata"]!["name"]!;
                received.Add((name, at));
                seen++;
            }
        })).ToList();
        while (Volatile.Read(ref ready) < watchers)
        {
            await Task.Delay(20, stop.Token);
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < writes; i++)
        {
            var name = $"w-{i:d4}";
            using var response = await control.PostAsync($"/api/v1/namespaces/{ns}/pods", Json(Pod(name)));
            acknowledged[name] = Stopwatch.GetTimestamp();
            Check(response.StatusCode == HttpStatusCode.Created, "create for watch");
            var due = TimeSpan.FromMilliseconds(20 * (i + 1));
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed);
            }
        }

        await Task.WhenAll(watching);
        var latencies = received.Select(r => Math.Max(0, Stopwatch.GetElapsedTime(acknowledged[r.Name], r.At).TotalMilliseconds)).Order().ToList();
        Console.WriteLine($"watch delivery with {watchers} watchers, {writes} creates at 50/s: p50 {Percentile(latencies, 0.5):0.0} ms, p99 {Percentile(latencies, 0.99):0.0} ms, max {latencies[^1]:0.0} ms ({latencies.Count} deliveries)");
    }

    private async Task<string> NamespaceAsync(HttpClient client)
    {
        var name = $"bench-{_round}-{Guid.NewGuid().ToString("N")[..6]}";
        using var response = await client.PostAsync("/api/v1/namespaces", Json($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}"""));
        Check(response.StatusCode == HttpStatusCode.Created, "namespace");
        return name;
    }

    // Operations per second, and the CPU time this process (client and server) spent per operation: the machine is
    // shared and noisy, and CPU per operation moves far less with it than the rate does.
    private async Task<(double Rate, double CpuMicroseconds, double AllocatedKb)> MeasureAsync(int clients, Func<int, int, Task> operation)
    {
        using var stop = new CancellationTokenSource(duration);
        var counts = new long[clients];
        var allocated = GC.GetTotalAllocatedBytes();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                await operation(c, n);
                counts[c]++;
            }
        })));
        var total = counts.Sum();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return (total / clock.Elapsed.TotalSeconds, used.TotalMicroseconds / Math.Max(1, total), (GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / Math.Max(1, total));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    // A node's Lease as the kubelet writes it every 10 s (a PUT with the resourceVersion it last got back).
    private static string Lease(string node, string? resourceVersion, DateTime renewTime) =>
        $$$"""{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"{{{node}}}"{{{(resourceVersion is null ? "" : $",\"resourceVersion\":\"{resourceVersion}\"")}}},"ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"{{{node}}}","uid":"uid-{{{node}}}"}]},"spec":{"holderIdentity":"{{{node}}}","leaseDurationSeconds":40,"renewTime":"{{{renewTime:yyyy-MM-ddTHH:mm:ss.ffffffZ}}}"}}""";

    private static string ResourceVersion(byte[] json) =>
        JsonNode.Parse(json)!["metadata"]!["resourceVersion"]!.GetValue<string>();

    // Each phase as it starts, on standard error (the tables stay on standard output): a profiler can wait for one.
    private static void Progress(string phase) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {phase} …");

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"benchmark step failed: {what}");
        }
    }

    private static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);

    private static double Median(List<double> values) => Percentile(values.Order().ToList(), 0.5);

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
