using System.Text;
using Xunit;

namespace Cetus.Storage.Conformance;

/// <summary>
/// What every datastore backend guarantees. A backend's test class subclasses this and opens a fresh store whose keys
/// live under the prefix it is given; the tests of one class run one after another.
/// </summary>
public abstract partial class StoreConformanceTests : IAsyncLifetime
{
    private readonly List<IStore> _opened = [];

    /// <summary>The key prefix of this test's store: unique per test, so backends that share a server stay apart.</summary>
    protected string Prefix { get; } = $"/t{Guid.NewGuid():N}/";

    /// <summary>The store under test (automatic compaction off, so that only the tests compact).</summary>
    protected IStore Store { get; private set; } = null!;

    /// <summary>Opens a new store of the backend whose keys must start with <paramref name="keyPrefix"/>.</summary>
    protected abstract Task<IStore> OpenStoreAsync(StoreOptions options);

    /// <summary>Opens one more store (closed after the test).</summary>
    protected async Task<IStore> OpenAsync(StoreOptions options)
    {
        var store = await OpenStoreAsync(options);
        _opened.Add(store);
        return store;
    }

    /// <inheritdoc />
    public virtual async Task InitializeAsync() =>
        Store = await OpenAsync(new StoreOptions { KeyPrefix = Prefix, Compaction = null });

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync();
        }
    }

    protected string Key(string name) => Prefix + name;

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(byte[] value) => Encoding.UTF8.GetString(value);

    protected static CancellationToken Timeout(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    protected async Task<WriteResult> MustCreate(string name, string value, WriteOptions? options = null)
    {
        var result = await Store.CreateAsync(Key(name), Bytes(value), options);
        Assert.Equal(WriteStatus.Succeeded, result.Status);
        return result;
    }

    /// <summary>Reads a watch into a list until <paramref name="done"/> says it has enough, or fails after a time limit.</summary>
    protected static async Task<List<WatchEvent>> CollectAsync(IAsyncEnumerable<WatchEvent> watch, Func<List<WatchEvent>, bool> done, int seconds = 60)
    {
        var events = new List<WatchEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            await foreach (var change in watch.WithCancellation(timeout.Token))
            {
                events.Add(change);
                if (done(events))
                {
                    return events;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"the watch delivered {events.Count} events in {seconds} s and then stalled");
        }

        return events;
    }
}
