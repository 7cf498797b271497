using System.Net;
using System.Text.Json;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Fuzz;

/// <summary>
/// A real cetus server for fuzzing, with the namespace and the objects the corpus aims at (<see cref="Targets"/>),
/// and a snapshot of everything the fuzzing must leave as it was.
/// </summary>
public sealed class FuzzServerFixture : IAsyncLifetime
{
    public CetusServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await CetusServerProcess.StartAsync(arguments: FuzzServer.Arguments);
        await SeedAsync(Server);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Creates the fuzz namespace and the object of each seeded kind.</summary>
    public static async Task SeedAsync(CetusServerProcess server)
    {
        using var client = new ApiClient(server, HttpVersion.Version11);
        await CreateAsync(client, Targets.Namespaces.Collection, Targets.Namespaces.Manifest(Targets.Namespace).ToJsonString());
        await CreateDefaultServiceAccountAsync(client, Targets.Namespace);
        foreach (var target in Targets.Seeded)
        {
            await CreateAsync(client, target.Collection, target.Manifest(Targets.ExistingName).ToJsonString());
        }
    }

    /// <summary>Every object of <see cref="Targets.Watched"/>, as "list: name@resourceVersion".</summary>
    public static async Task<List<string>> SnapshotAsync(CetusServerProcess server)
    {
        using var client = new ApiClient(server, HttpVersion.Version11);
        var entries = new List<string>();
        foreach (var list in Targets.Watched)
        {
            var response = await client.SendAsync(FuzzRequest.Text("snapshot", "GET", list, null, null, Expect.Code(200)));
            Assert.True(response.Code == 200, $"GET {list}: {response}");
            using var json = JsonDocument.Parse(response.Body);
            foreach (var item in json.RootElement.GetProperty("items").EnumerateArray())
            {
                var metadata = item.GetProperty("metadata");
                var name = metadata.TryGetProperty("name", out var n) ? n.GetString() : "(no name)";
                entries.Add($"{list}: {name}@{metadata.GetProperty("resourceVersion").GetString()}");
            }
        }

        return entries;
    }

    /// <summary>
    /// The namespace's default service account, as the service-account controller would make it (the fuzz server runs
    /// no controller manager): the ServiceAccount admission plugin admits pods only when their service account exists.
    /// </summary>
    public static async Task CreateDefaultServiceAccountAsync(ApiClient client, string ns) =>
        await CreateAsync(client, $"/api/v1/namespaces/{ns}/serviceaccounts", "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"default\"}}");

    private static async Task CreateAsync(ApiClient client, string collection, string body)
    {
        var response = await client.SendAsync(FuzzRequest.Text("seed", "POST", collection, FuzzCorpus.Json, body, Expect.Code(201)));
        Assert.True(response.Code == 201, $"POST {collection}: {response}");
    }
}
