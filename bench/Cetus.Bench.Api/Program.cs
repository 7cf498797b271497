using System.Globalization;
using Cetus.Bench.Api;

// The API server benchmark: pod creates, gets, a 10,000-pod list and watch latency with 1,000 watchers, on SQLite
// and etcd, against the raw datastore in the same run.
var seconds = 3.0;
var backends = new[] { "sqlite", "etcd" };
var watchers = 1000;
var http2 = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds":
            seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--backends":
            backends = args[++i].Split(',');
            break;
        case "--watchers":
            watchers = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--http2":
            http2 = true;
            break;
        default:
            Console.Error.WriteLine("usage: Cetus.Bench.Api [--seconds S] [--backends sqlite,etcd] [--watchers N] [--http2]");
            return 2;
    }
}

Console.WriteLine($"# API server benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores; .NET {Environment.Version}; {seconds:0.#} s per throughput figure; clients over {(http2 ? "HTTP/2 (one connection, multiplexed)" : "HTTP/1.1 (a connection each)")}");
foreach (var backend in backends)
{
    await using var target = await Target.StartAsync(backend);
    await new ApiBenchmark(target, TimeSpan.FromSeconds(seconds), watchers, http2).RunAsync();
}

Console.WriteLine();
Console.WriteLine("done");
return 0;
