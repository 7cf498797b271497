using System.Diagnostics;
using System.Text;
using Cetus.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Cetus.E2E.Tests.Fuzz;

/// <summary>
/// A few thousand malformed and hostile requests (<see cref="FuzzCorpus"/>, deterministic) against a real cetus
/// server, over HTTP/1.1 and HTTP/2: each must get a 4xx with a JSON Status whose code is the HTTP status (or the
/// success Kubernetes itself gives), never a 5xx, a dropped connection or no answer; the server must still run
/// afterwards, and nothing may have been stored. Requests that show known server bugs are in
/// <see cref="ApiFuzzKnownFailures"/>.
/// </summary>
public sealed class ApiFuzzTests(FuzzServerFixture fixture, ITestOutputHelper output) : IClassFixture<FuzzServerFixture>
{
    private static readonly TimeSpan CategoryLimit = TimeSpan.FromMinutes(3);

    public static TheoryData<string, string> Runs
    {
        get
        {
            var runs = new TheoryData<string, string>();
            foreach (var category in FuzzCorpus.Categories)
            {
                runs.Add(category, "1.1");
                runs.Add(category, "2.0");
            }

            return runs;
        }
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task HostileRequests_GetAClientErrorStatus_AndStoreNothing(string category, string http)
    {
        var server = fixture.Server;
        var requests = FuzzCorpus.Category(category);
        var before = await FuzzServerFixture.SnapshotAsync(server);

        var failures = await RunAsync(server, requests, Version.Parse(http));

        Assert.True(server.IsRunning, $"the server exited while fuzzing {category}:\n{Tail(server.Log)}");
        Assert.True(failures.Count == 0, Report(category, http, requests.Count, failures));
        var after = await FuzzServerFixture.SnapshotAsync(server);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Corpus_IsAFewThousandRequests_TheSameOnEveryRun()
    {
        var counts = FuzzCorpus.Categories.ToDictionary(c => c, c => FuzzCorpus.Category(c).Count);
        output.WriteLine(string.Join(", ", counts.Select(c => $"{c.Key}: {c.Value}")) + $"; {counts.Values.Sum()} in all, sent over HTTP/1.1 and HTTP/2");
        Assert.All(counts, c => Assert.True(c.Value > 0, $"category {c.Key} is empty"));
        Assert.InRange(counts.Values.Sum(), 3000, 10_000);
        Assert.Equal(FuzzCorpus.Category("random").Select(r => r.Reproduction()), FuzzCorpus.Category("random").Select(r => r.Reproduction()));
    }

    /// <summary>Sends the requests in order and returns what went wrong (request, response, why), stopping if the server dies.</summary>
    internal static async Task<List<string>> RunAsync(CetusServerProcess server, IReadOnlyList<FuzzRequest> requests, Version http)
    {
        var failures = new List<string>();
        using var client = new ApiClient(server, http);
        var clock = Stopwatch.StartNew();
        foreach (var request in requests)
        {
            var response = await client.SendAsync(request);
            if (request.Expect.Check(response) is { } problem)
            {
                failures.Add($"{request.Name}: {problem}\n  {request.Reproduction()}\n  => {response}");
            }

            if (!server.IsRunning)
            {
                failures.Add($"the server exited after: {request.Name}\n  {request.Reproduction()}");
                break;
            }

            if (clock.Elapsed > CategoryLimit)
            {
                failures.Add($"stopped after {CategoryLimit.TotalMinutes} minutes, at: {request.Name}");
                break;
            }
        }

        return failures;
    }

    private static string Report(string category, string http, int total, List<string> failures)
    {
        var text = new StringBuilder($"{failures.Count} of {total} '{category}' requests over HTTP/{http} were answered wrongly:\n");
        foreach (var failure in failures.Take(40))
        {
            text.Append("- ").AppendLine(failure);
        }

        if (failures.Count > 40)
        {
            text.AppendLine($"… and {failures.Count - 40} more");
        }

        return text.ToString();
    }

    internal static string Tail(string log) => log.Length <= 4000 ? log : "…" + log[^4000..];
}
