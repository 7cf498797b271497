using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Cetus.Storage;

namespace Cetus.Bench.Storage;

/// <summary>Throughput with 1 and 16 clients, a 10,000-key list, and watch delivery latency with 100 watchers.</summary>
internal sealed class StorageBenchmark(BenchTarget target, TimeSpan duration, int listKeys, Report report)
{
    public const int ValueBytes = 1024;
    private const int Watchers = 100;
    private const int WatchedWrites = 500;
    private static readonly int[] ClientCounts = [1, 16];
    private readonly byte[] _value = Enumerable.Range(0, ValueBytes).Select(i => (byte)('a' + (i % 26))).ToArray();
    private readonly IStore _store = target.Store;
    private int _round;

    public async Task RunAsync()
    {
        report.Line();
        report.Line($"## {target.Name}");
        report.Row("clients", "creates/s", "CAS updates/s", "gets/s");
        report.Row("---", "---", "---", "---");
        foreach (var clients in ClientCounts)
        {
            var keys = new ConcurrentQueue<(string Key, long Revision)>();
            var creates = await MeasureAsync(clients, async (client, n, ct) =>
            {
                var key = $"{_store.KeyPrefix}bench/c{_round}/{client}/{n}";
                var result = await _store.CreateAsync(key, _value, cancellationToken: ct);
                keys.Enqueue((key, result.Revision));
            });
            var owned = keys.ToArray();
            var perClient = Enumerable.Range(0, clients).Select(c => owned[c % owned.Length]).ToArray();
            var updates = await MeasureAsync(clients, async (client, n, ct) =>
            {
                var (key, revision) = perClient[client];
                var result = await _store.UpdateAsync(key, _value, revision, cancellationToken: ct);
                perClient[client] = (key, result.Revision);
            });
            var gets = await MeasureAsync(clients, async (client, n, ct) =>
            {
                var kv = await _store.GetAsync(owned[(client * 7919 + n) % owned.Length].Key, ct);
                if (kv is null)
                {
                    throw new InvalidOperationException("a created key is missing");
                }
            });
            _round++;
            report.Row(clients.ToString(CultureInfo.InvariantCulture), Rate(creates), Rate(updates), Rate(gets));
        }

        await MeasureAgainstRawEtcdAsync();
        await MeasureListAsync();
        await MeasureWatchLatencyAsync();
    }

    /// <summary>
    /// The store's creates against the official client's plain puts and its create-if-absent transactions, interleaved
    /// in three rounds so that the machine's noise hits all three alike; medians are compared.
    /// </summary>
    private async Task MeasureAgainstRawEtcdAsync()
    {
        if (target.RawPut is not { } put || target.RawCreateTransaction is not { } transaction)
        {
            return;
        }

        report.Line();
        report.Line("against the raw etcd client (dotnet-etcd), interleaved, median of 3 rounds:");
        report.Row("clients", "raw puts/s", "raw create txns/s", "store creates/s", "store ÷ raw puts", "store ÷ raw txns");
        report.Row("---", "---", "---", "---", "---", "---");
        foreach (var clients in ClientCounts)
        {
            var puts = new List<double>();
            var transactions = new List<double>();
            var creates = new List<double>();
            for (var round = 0; round < 3; round++, _round++)
            {
                var r = _round;
                puts.Add(await MeasureAsync(clients, (client, n, ct) => put($"/raw/bench/p{r}/{client}/{n}", _value, ct)));
                transactions.Add(await MeasureAsync(clients, (client, n, ct) => transaction($"/raw/bench/t{r}/{client}/{n}", _value, ct)));
                creates.Add(await MeasureAsync(clients, (client, n, ct) => _store.CreateAsync($"{_store.KeyPrefix}bench/s{r}/{client}/{n}", _value, cancellationToken: ct)));
            }

            double putRate = Median(puts), transactionRate = Median(transactions), createRate = Median(creates);
            report.Row(
                clients.ToString(CultureInfo.InvariantCulture),
                Rate(putRate),
                Rate(transactionRate),
                Rate(createRate),
                $"{createRate / putRate:P0}",
                $"{createRate / transactionRate:P0}");
        }
    }

    /// <summary>Runs <paramref name="clients"/> loops of <paramref name="operation"/> for the duration and returns operations per second.</summary>
    private async Task<double> MeasureAsync(int clients, Func<int, int, CancellationToken, Task> operation)
    {
        using var stop = new CancellationTokenSource();
        var counts = new long[clients];
        var clock = Stopwatch.StartNew();
        stop.CancelAfter(duration);
        var loops = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                await operation(client, n, CancellationToken.None);
                counts[client]++;
            }
        }));
        await Task.WhenAll(loops);
        return counts.Sum() / clock.Elapsed.TotalSeconds;
    }

    private async Task MeasureListAsync()
    {
        var prefix = $"{_store.KeyPrefix}bench/list/";
        Console.WriteLine($"writing {listKeys} keys to list …");
        await Parallel.ForEachAsync(Enumerable.Range(0, listKeys), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await _store.CreateAsync($"{prefix}{i:d6}", _value, cancellationToken: ct));
        var whole = new List<double>();
        var paged = new List<double>();
        for (var run = 0; run < 5; run++)
        {
            var clock = Stopwatch.StartNew();
            var all = await _store.ListAsync(prefix);
            whole.Add(clock.Elapsed.TotalMilliseconds);
            Check(all.Items.Count);

            clock.Restart();
            var count = 0;
            var page = await _store.ListAsync(prefix, new ListOptions { Limit = 500 });
            count += page.Items.Count;
            while (page.HasMore)
            {
                page = await _store.ListAsync(prefix, new ListOptions { Limit = 500, ContinueAfterKey = page.Items[^1].Key, Revision = page.Revision });
                count += page.Items.Count;
            }

            paged.Add(clock.Elapsed.TotalMilliseconds);
            Check(count);
        }

        report.Line();
        report.Line($"list of {listKeys} keys: {Median(whole):0.0} ms in one call, {Median(paged):0.0} ms in pages of 500 (median of 5)");

        void Check(int count)
        {
            if (count != listKeys)
            {
                throw new InvalidOperationException($"listed {count} keys, expected {listKeys}");
            }
        }
    }

    /// <summary>
    /// One writer writes at a steady pace while 100 watchers watch the prefix. Latency runs from the write's
    /// acknowledgement to each watcher's receipt (an event that beats the acknowledgement counts as 0).
    /// </summary>
    private async Task MeasureWatchLatencyAsync()
    {
        var prefix = $"{_store.KeyPrefix}bench/watch/";
        var start = await _store.GetCurrentRevisionAsync();
        var acknowledged = new ConcurrentDictionary<long, long>();
        var received = new ConcurrentBag<(long Revision, long At)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ready = 0;
        var watchers = Enumerable.Range(0, Watchers).Select(_ => Task.Run(async () =>
        {
            var seen = 0;
            await using var watch = _store.WatchAsync(prefix, start, stop.Token).GetAsyncEnumerator(stop.Token);
            var next = watch.MoveNextAsync();
            Interlocked.Increment(ref ready);
            while (await next)
            {
                received.Add((watch.Current.Revision, Stopwatch.GetTimestamp()));
                if (++seen == WatchedWrites)
                {
                    return;
                }

                next = watch.MoveNextAsync();
            }
        })).ToList();
        while (Volatile.Read(ref ready) < Watchers)
        {
            await Task.Delay(10);
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < WatchedWrites; i++)
        {
            var result = await _store.CreateAsync($"{prefix}{i:d5}", _value);
            acknowledged[result.Revision] = Stopwatch.GetTimestamp();
            // About 250 writes a second: a steady load, not a burst that measures queueing.
            var due = TimeSpan.FromMilliseconds(4 * (i + 1));
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed);
            }
        }

        await Task.WhenAll(watchers);
        var latencies = received
            .Select(r => Math.Max(0, Stopwatch.GetElapsedTime(acknowledged[r.Revision], r.At).TotalMilliseconds))
            .Order()
            .ToList();
        report.Line($"watch delivery with {Watchers} watchers, {WatchedWrites} writes at ~250/s: p50 {Percentile(latencies, 0.50):0.00} ms, p99 {Percentile(latencies, 0.99):0.00} ms, max {latencies[^1]:0.00} ms ({latencies.Count} deliveries)");
    }

    private static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);

    private static double Median(List<double> values) => Percentile(values.Order().ToList(), 0.5);

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
