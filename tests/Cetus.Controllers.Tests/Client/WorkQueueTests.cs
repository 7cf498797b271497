using Cetus.Client.WorkQueues;
using Xunit;

namespace Cetus.Controllers.Tests.Client;

public sealed class WorkQueueTests
{
    [Fact]
    public async Task Add_SameKeyTwice_IsQueuedOnce()
    {
        using var queue = new RateLimitingQueue();
        queue.Add("a");
        queue.Add("a");
        queue.Add("b");

        Assert.Equal(2, queue.Length);
        Assert.Equal(("a", false), await queue.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task KeyAddedWhileProcessing_IsQueuedAgainOnlyWhenDone()
    {
        using var queue = new RateLimitingQueue();
        queue.Add("a");
        var (key, _) = await queue.GetAsync(CancellationToken.None);

        queue.Add("a");
        Assert.Equal(0, queue.Length);

        queue.Done(key);
        Assert.Equal(1, queue.Length);
    }

    [Fact]
    public async Task ShutDown_WakesWaitingWorkers()
    {
        using var queue = new RateLimitingQueue();
        var waiting = queue.GetAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        queue.ShutDown();

        Assert.True((await waiting).Shutdown);
        queue.Add("ignored");
        Assert.Equal(0, queue.Length);
    }

    [Fact]
    public void ItemBackoff_DoublesFrom5MsUpTo1000s_AndForgets()
    {
        var limiter = new ItemExponentialRateLimiter(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));

        Assert.Equal([5, 10, 20, 40], Enumerable.Range(0, 4).Select(_ => limiter.When("k").TotalMilliseconds));
        Assert.Equal(4, limiter.NumRequeues("k"));
        for (var i = 0; i < 30; i++)
        {
            limiter.When("k");
        }

        Assert.Equal(TimeSpan.FromSeconds(1000), limiter.When("k"));
        limiter.Forget("k");
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("k"));
    }

    [Fact]
    public void TokenBucket_AllowsTheBurst_ThenSpacesRetries()
    {
        var time = new ManualTime();
        var bucket = new TokenBucketRateLimiter(10, 2, time);

        Assert.Equal(TimeSpan.Zero, bucket.When("a"));
        Assert.Equal(TimeSpan.Zero, bucket.When("b"));
        Assert.Equal(0.1, bucket.When("c").TotalSeconds, 3);
    }
}
