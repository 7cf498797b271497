using System.Net;
using System.Text;
using Cetus.Client.Http;
using Xunit;

namespace Cetus.Controllers.Tests.Client;

/// <summary>The client side of the API server's limits: which answers are retried, how long it waits, when it gives up, and the in-flight bound.</summary>
public sealed class RetryAfterHandlerTests
{
    [Fact]
    public async Task TooManyRequests_IsSentAgainAfterRetryAfter_WithTheSameBody()
    {
        var server = new ScriptedServer(Answer(429, retryAfter: 2), Answer(429), Answer(201));
        var time = new InstantTime();
        using var client = new HttpClient(new RetryAfterHandler(time) { InnerHandler = server });

        using var response = await client.PostAsync("https://api.invalid/api/v1/namespaces/default/pods", new StringContent("{\"kind\":\"Pod\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["{\"kind\":\"Pod\"}", "{\"kind\":\"Pod\"}", "{\"kind\":\"Pod\"}"], server.Bodies);
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)], time.Waits);
    }

    [Fact]
    public async Task TooManyRequests_GivesUpAfterTenRetries_WithTheLastAnswer()
    {
        var server = new ScriptedServer(Enumerable.Range(0, 20).Select(_ => Answer(429, retryAfter: 60)).ToArray());
        var time = new InstantTime();
        using var client = new HttpClient(new RetryAfterHandler(time) { InnerHandler = server });

        using var response = await client.GetAsync("https://api.invalid/api/v1/pods");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(11, server.Bodies.Count);
        Assert.All(time.Waits, w => Assert.Equal(RetryAfterHandler.MaxWait, w));
    }

    [Theory]
    [InlineData("GET", 503, 1, true)]
    [InlineData("GET", 500, null, false)]
    [InlineData("POST", 503, 1, false)]
    [InlineData("GET", 404, 1, false)]
    [InlineData("GET", 409, null, false)]
    public async Task ServerErrors_AreRetriedOnlyForReadsThatNameRetryAfter(string method, int code, int? retryAfter, bool retried)
    {
        var server = new ScriptedServer(Answer(code, retryAfter), Answer(200));
        using var client = new HttpClient(new RetryAfterHandler(new InstantTime()) { InnerHandler = server });

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "https://api.invalid/api/v1/pods"));

        Assert.Equal(retried ? HttpStatusCode.OK : (HttpStatusCode)code, response.StatusCode);
        Assert.Equal(retried ? 2 : 1, server.Bodies.Count);
    }

    [Fact]
    public async Task InFlightLimit_HoldsRequestsPastTheBound_ButNotWatches()
    {
        var server = new GatedServer();
        using var client = new HttpClient(new InFlightLimitHandler(maxInFlight: 2) { InnerHandler = server });

        var first = client.GetAsync("https://api.invalid/api/v1/pods?limit=1");
        var second = client.PostAsync("https://api.invalid/api/v1/namespaces/default/pods", new StringContent("{}"));
        var third = client.PostAsync("https://api.invalid/api/v1/namespaces/default/pods", new StringContent("{}"));
        var watch = client.GetAsync("https://api.invalid/api/v1/pods?watch=true&resourceVersion=1", HttpCompletionOption.ResponseHeadersRead);
        await server.WaitForAsync(3);

        // Two requests and the watch reached the server; the third request waits for a slot.
        Assert.Equal(3, server.Arrived);
        server.Release(1);
        await server.WaitForAsync(4);
        server.Release(10);
        await Task.WhenAll(first, second, third, watch);
        Assert.Equal(4, server.Arrived);
    }

    [Theory]
    [InlineData("https://api.invalid/api/v1/pods?watch=true&resourceVersion=5", true)]
    [InlineData("https://api.invalid/api/v1/watch/namespaces/default/pods", true)]
    [InlineData("https://api.invalid/api/v1/pods?limit=500", false)]
    [InlineData("https://api.invalid/api/v1/namespaces/default/pods/p/log?follow=true", false)]
    public async Task Watches_GetAConnectionOfTheirOwn_OtherRequestsKeepHttp2(string url, bool watch)
    {
        var server = new VersionRecorder();
        using var client = new HttpClient(new WatchConnectionHandler { InnerHandler = server });

        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
        using var response = await client.SendAsync(request);

        Assert.Equal(watch ? HttpVersion.Version11 : HttpVersion.Version20, server.Version);
        Assert.Equal(watch ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower, server.Policy);
    }

    private static HttpResponseMessage Answer(int code, int? retryAfter = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)code) { Content = new StringContent("{}") };
        if (retryAfter is { } seconds)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return response;
    }

    /// <summary>Answers requests in order and keeps each request's body as sent.</summary>
    private sealed class ScriptedServer(params HttpResponseMessage[] answers) : HttpMessageHandler
    {
        private int _next;

        public List<string> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken));
            return answers[_next++];
        }
    }

    /// <summary>Records the protocol version a request was sent with.</summary>
    private sealed class VersionRecorder : HttpMessageHandler
    {
        public Version? Version { get; private set; }

        public HttpVersionPolicy? Policy { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Version = request.Version;
            Policy = request.VersionPolicy;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") });
        }
    }

    /// <summary>Holds every request until released; counts arrivals.</summary>
    private sealed class GatedServer : HttpMessageHandler
    {
        private readonly SemaphoreSlim _gate = new(0);
        private int _arrived;

        public int Arrived => Volatile.Read(ref _arrived);

        public void Release(int count) => _gate.Release(count);

        public async Task WaitForAsync(int arrivals)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Arrived < arrivals)
            {
                await Task.Delay(5, limit.Token);
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _arrived);
            await _gate.WaitAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") };
        }
    }

    /// <summary>A clock whose timers fire at once; it records what they were asked to wait.</summary>
    private sealed class InstantTime : TimeProvider
    {
        public List<TimeSpan> Waits { get; } = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (Waits)
            {
                Waits.Add(dueTime);
            }

            return System.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }
}
