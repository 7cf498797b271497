using System.Text;
using Cetus.Storage;
using Cetus.Storage.Sqlite;

// Usage: CrashWriter DB_PATH WRITERS
// Each of WRITERS tasks creates keys /registry/crash/<writer>-<n> and, once a create is acknowledged, prints
// "ack <key> <revision>" on its own line. The test kills this process with SIGKILL mid-stream.
if (args.Length != 2 || !int.TryParse(args[1], out var writers))
{
    Console.Error.WriteLine("usage: Cetus.Storage.CrashWriter DB_PATH WRITERS");
    return 2;
}

var store = SqliteStore.Open(args[0], new StoreOptions { Compaction = null });
var output = Console.Out;
var gate = new object();
var first = await store.GetCurrentRevisionAsync();
lock (gate)
{
    output.WriteLine($"ready {first}");
    output.Flush();
}

var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    for (var n = 0; ; n++)
    {
        var key = $"/registry/crash/{w}-{n}";
        var result = await store.CreateAsync(key, Encoding.UTF8.GetBytes($"value {w} {n}"));
        if (result.Status != WriteStatus.Succeeded)
        {
            throw new InvalidOperationException($"create {key}: {result.Status}");
        }

        lock (gate)
        {
            output.WriteLine($"ack {key} {result.Revision}");
            output.Flush();
        }
    }
}));
await Task.WhenAll(tasks);
return 0;
