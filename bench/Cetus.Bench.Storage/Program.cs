using System.Globalization;
using Cetus.Bench.Storage;

// The datastore benchmark: both backends, 1 and 16 clients, against the raw etcd client in the same run.
var seconds = 3.0;
var backends = new[] { "sqlite", "etcd" };
var listKeys = 10_000;
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
        case "--list-keys":
            listKeys = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine("usage: Cetus.Bench.Storage [--seconds S] [--backends sqlite,etcd] [--list-keys N]");
            return 2;
    }
}

var report = new Report();
report.Line($"# Datastore benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
report.Line($"machine: {Environment.ProcessorCount} cores, {Machine.Memory()}, {Machine.Cpu()}; .NET {Environment.Version}; {seconds:0.#} s per throughput figure; values of {StorageBenchmark.ValueBytes} bytes");
foreach (var backend in backends)
{
    await using var target = await BenchTarget.StartAsync(backend);
    await new StorageBenchmark(target, TimeSpan.FromSeconds(seconds), listKeys, report).RunAsync();
}

report.Line();
report.Line("done");
return 0;
