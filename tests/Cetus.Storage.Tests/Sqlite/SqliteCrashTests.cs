using System.Diagnostics;
using Cetus.Storage.Sqlite;
using Cetus.Testing;
using Xunit;

namespace Cetus.Storage.Tests.Sqlite;

/// <summary>An acknowledged write survives the process being killed with SIGKILL at any moment.</summary>
public sealed class SqliteCrashTests : IDisposable
{
    private readonly TempDirectory _directory = new("crash");

    [Theory]
    [InlineData(1, 300)]
    [InlineData(16, 2000)]
    public async Task KilledMidStream_EveryAcknowledgedWriteSurvives_AndRevisionsContinue(int writers, int killAfterAcks)
    {
        var database = _directory.File("state.db");
        var acknowledged = await RunWriterUntilKilledAsync(database, writers, killAfterAcks);
        Assert.True(acknowledged.Count >= killAfterAcks, $"only {acknowledged.Count} writes were acknowledged");

        await using var store = SqliteStore.Open(database, new StoreOptions { Compaction = null });

        foreach (var (key, revision) in acknowledged)
        {
            var kv = await store.GetAsync(key);
            Assert.True(kv is not null, $"acknowledged write {key} at revision {revision} was lost");
            Assert.Equal(revision, kv.ModRevision);
        }

        var highest = acknowledged.Values.Max();
        var current = await store.GetCurrentRevisionAsync();
        Assert.True(current >= highest);
        var next = await store.CreateAsync("/registry/after/crash", [1]);
        Assert.Equal(WriteStatus.Succeeded, next.Status);
        Assert.True(next.Revision > current, $"revision {next.Revision} after restart is not above {current}");
        // Every write the store kept is there once, with its own revision.
        var all = await store.ListAsync("/registry/crash/");
        Assert.Equal(all.Items.Count, all.Items.Select(i => i.ModRevision).Distinct().Count());
    }

    public void Dispose() => _directory.Dispose();

    private static async Task<Dictionary<string, long>> RunWriterUntilKilledAsync(string database, int writers, int killAfterAcks)
    {
        // The project reference builds the writer in the same configuration; its output mirrors this assembly's.
        var writer = Path.Combine(
            AppContext.BaseDirectory.Replace("/Cetus.Storage.Tests/", "/Cetus.Storage.CrashWriter/", StringComparison.Ordinal),
            "Cetus.Storage.CrashWriter.dll");
        Assert.True(File.Exists(writer), $"{writer} is missing: build tests/Cetus.Storage.CrashWriter");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(writer);
        start.ArgumentList.Add(database);
        start.ArgumentList.Add(writers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var acknowledged = new Dictionary<string, long>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                Record(acknowledged, line);
                if (acknowledged.Count == killAfterAcks)
                {
                    process.Kill(); // SIGKILL: no flush, no dispose, no finalizers.
                    break;
                }
            }

            // What the writer printed before it died was acknowledged too.
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                Record(acknowledged, line);
            }
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail($"the writer stalled after {acknowledged.Count} acknowledgements: {await stderr}");
        }

        await process.WaitForExitAsync();
        Assert.True(acknowledged.Count > 0, $"the writer acknowledged nothing: {await stderr}");
        return acknowledged;
    }

    private static void Record(Dictionary<string, long> acknowledged, string line)
    {
        var parts = line.Split(' ');
        if (parts is ["ack", var key, var revision])
        {
            acknowledged[key] = long.Parse(revision, System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
