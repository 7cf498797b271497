using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Fuzz;

/// <summary>A fuzz server that also knows a token of a user with no roles at all ("nobody": only what every authenticated user may do).</summary>
public sealed class FuzzCallerFixture : IAsyncLifetime
{
    public const string NobodyToken = "nobody-fuzz-token";

    private readonly TempDirectory _dir = new("fuzz-callers");

    public CetusServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var tokens = _dir.File("tokens.csv");
        await File.WriteAllTextAsync(tokens, $"{NobodyToken},nobody,1001\n");
        Server = await CetusServerProcess.StartAsync(arguments: [.. FuzzServer.Arguments, "--token-auth-file", tokens]);
        await FuzzServerFixture.SeedAsync(Server);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>
/// The fuzz corpus again, from callers who may not do what it asks: without credentials every answer is 401
/// "Unauthorized" (nothing about the request or the cluster comes back); as a user without roles every answer is a
/// 4xx Status — 403 in kube-apiserver's words for whatever touches a resource — except the few things every user may
/// do (discovery, /version, self reviews). Nothing is stored either way and the server keeps running.
/// </summary>
public sealed partial class ApiFuzzCallerTests(FuzzCallerFixture fixture) : IClassFixture<FuzzCallerFixture>
{
    public static TheoryData<string> Categories
    {
        get
        {
            var categories = new TheoryData<string>();
            foreach (var category in FuzzCorpus.Categories)
            {
                categories.Add(category);
            }

            return categories;
        }
    }

    [Theory]
    [MemberData(nameof(Categories))]
    public async Task Unauthenticated_EveryRequestGets401_WithNothingElseInIt(string category)
    {
        var requests = FuzzCorpus.Category(category).Select(r => r with { Expect = Unauthenticated }).ToList();

        await RunAsync(requests, new ApiClient(fixture.Server, HttpVersion.Version11, anonymous: true), category);
    }

    [Theory]
    [MemberData(nameof(Categories))]
    public async Task UserWithoutRoles_IsRefusedEverythingButWhatEveryUserMayDo(string category)
    {
        var requests = FuzzCorpus.Category(category).Select(r => r with { Expect = Unprivileged(r) }).ToList();

        await RunAsync(requests, new ApiClient(fixture.Server, HttpVersion.Version11, bearerToken: FuzzCallerFixture.NobodyToken), category);
    }

    // Kestrel refuses some requests before any middleware runs (a malformed request line, an oversized header block),
    // and the API server refuses over-large bodies and bad encodings as it reads them: those answers come without
    // looking at the caller, as kube-apiserver's HTTP server does.
    private static readonly HashSet<int> BeforeAuthentication = [400, 405, 413, 414, 431];

    private static Expect Unauthenticated { get; } = Expect.That("401 Unauthorized", r =>
    {
        if (r.Code == 401)
        {
            return Expect.StatusProblem(r) ?? (r.Head || Message(r) == "Unauthorized" ? null : $"401 says more than \"Unauthorized\": {ApiResponse.Shorten(r.BodyText, 200)}");
        }

        return BeforeAuthentication.Contains(r.Code) ? Expect.StatusProblem(r) : $"expected 401, got {r.Code}: {ApiResponse.Shorten(r.BodyText, 200)}";
    });

    // An HTTP method with no Kubernetes verb is authorized with an empty verb, as kube-apiserver's RequestInfoFactory
    // leaves it ("cannot  resource"): the wording allows that.
    private static Expect Unprivileged(FuzzRequest request) => Expect.That("403 (or what every user may do)", r =>
    {
        if (r.Code is >= 200 and < 300)
        {
            return EveryUserMay(request) ? null : $"a user without roles got {r.Code} for {request.Method} {ApiResponse.Shorten(request.Path, 120)}";
        }

        if (r.Code is < 400 or >= 500)
        {
            return $"expected a 4xx, got {r.Code}";
        }

        if (Expect.StatusProblem(r) is { } problem)
        {
            return problem;
        }

        return r.Code != 403 || r.Head || ForbiddenWording().IsMatch(Message(r) ?? string.Empty)
            ? null
            : $"403 not in kube-apiserver's words: {ApiResponse.Shorten(r.BodyText, 300)}";
    });

    // system:discovery, system:basic-user and system:public-info-viewer: discovery, OpenAPI, health, version and the
    // self reviews. A watch or list of those is impossible, so a 2xx anywhere else is a leak.
    private static bool EveryUserMay(FuzzRequest request)
    {
        var path = request.Path.Split('?')[0];
        path = path.Length > 1 ? path.TrimEnd('/') : path;
        if (request.Method is "GET" or "HEAD")
        {
            return path is "/api" or "/apis" or "/version" or "/healthz" or "/livez" or "/readyz"
                || path.StartsWith("/openapi", StringComparison.Ordinal)
                || Regex.IsMatch(path, "^/apis?(/[^/]+){1,2}/?$");
        }

        return request.Method == "POST" && (path.EndsWith("/selfsubjectaccessreviews", StringComparison.Ordinal)
            || path.EndsWith("/selfsubjectrulesreviews", StringComparison.Ordinal)
            || path.EndsWith("/selfsubjectreviews", StringComparison.Ordinal));
    }

    private async Task RunAsync(List<FuzzRequest> requests, ApiClient client, string category)
    {
        using (client)
        {
            var before = await FuzzServerFixture.SnapshotAsync(fixture.Server);
            var failures = new List<string>();
            foreach (var request in requests)
            {
                var response = await client.SendAsync(request);
                if (request.Expect.Check(response) is { } problem)
                {
                    failures.Add($"{request.Name}: {problem}\n  {request.Reproduction()}");
                }

                if (!fixture.Server.IsRunning)
                {
                    failures.Add($"the server exited after: {request.Name}");
                    break;
                }
            }

            Assert.True(failures.Count == 0, $"{failures.Count} of {requests.Count} '{category}' requests:\n" + string.Join("\n", failures.Take(30)));
            Assert.Equal(before, await FuzzServerFixture.SnapshotAsync(fixture.Server));
        }
    }

    private static string? Message(ApiResponse response)
    {
        try
        {
            using var json = JsonDocument.Parse(response.Body);
            return json.RootElement.TryGetProperty("message", out var message) ? message.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex("""forbidden: User "nobody" cannot [a-z-]* (resource "[^"]*" in API group "[^"]*"( in the namespace "[^"]*"| at the cluster scope)?|path "[^"]*")""")]
    private static partial Regex ForbiddenWording();
}
