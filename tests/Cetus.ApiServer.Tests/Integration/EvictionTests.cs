using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

/// <summary>
/// POST pods/NAME/eviction against a real API server: no PDB deletes the pod; a PDB with a disruption to spare gives
/// one up (noted in disruptedPods) and the pod goes; none to spare is 429 with the DisruptionBudget cause; two PDBs
/// are upstream's 500; a pending pod goes whatever the budget. Each test uses its own namespace.
/// </summary>
public sealed class EvictionTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    private HttpClient Client => server.Client;

    [Fact]
    public async Task NoPdb_DeletesThePod_AndAnswersSuccess()
    {
        var ns = await NamespaceAsync("evict-none");
        await RunningPodAsync(ns, "a", ready: true);

        var response = await EvictAsync(ns, "a");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("Success", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["status"]);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/api/v1/namespaces/{ns}/pods/a")).StatusCode);
    }

    [Fact]
    public async Task PdbAllowingOne_TakesItAndNotesThePod_ThenRefusesTheNextWith429()
    {
        var ns = await NamespaceAsync("evict-budget");
        await RunningPodAsync(ns, "a", ready: true);
        await RunningPodAsync(ns, "b", ready: true);
        await PdbAsync(ns, "web", allowed: 1, current: 2, desired: 1);

        var first = await EvictAsync(ns, "a");
        var second = await EvictAsync(ns, "b");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/api/v1/namespaces/{ns}/pods/a")).StatusCode);
        var pdb = (await Client.GetFromJsonAsync<JsonObject>($"/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets/web"))!;
        Assert.Equal(0, (int)pdb["status"]!["disruptionsAllowed"]!);
        Assert.NotNull(pdb["status"]!["disruptedPods"]!["a"]);
        var condition = pdb["status"]!["conditions"]!.AsArray().Single()!;
        Assert.Equal(("False", "InsufficientPods"), ((string?)condition["status"], (string?)condition["reason"]));

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.False(second.Headers.Contains("Retry-After"));
        var status = (await second.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("TooManyRequests", (string?)status["reason"]);
        Assert.Equal("Cannot evict pod as it would violate the pod's disruption budget.", (string?)status["message"]);
        var cause = status["details"]!["causes"]!.AsArray().Single()!;
        Assert.Equal("DisruptionBudget", (string?)cause["reason"]);
        Assert.Equal("The disruption budget web needs 1 healthy pods and has 2 currently", (string?)cause["message"]);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync($"/api/v1/namespaces/{ns}/pods/b")).StatusCode);
    }

    [Fact]
    public async Task DryRun_ChangesNothing()
    {
        var ns = await NamespaceAsync("evict-dry");
        await RunningPodAsync(ns, "a", ready: true);
        await PdbAsync(ns, "web", allowed: 1, current: 1, desired: 0);

        var response = await EvictAsync(ns, "a", query: "?dryRun=All");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync($"/api/v1/namespaces/{ns}/pods/a")).StatusCode);
        var pdb = (await Client.GetFromJsonAsync<JsonObject>($"/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets/web"))!;
        Assert.Equal(1, (int)pdb["status"]!["disruptionsAllowed"]!);
    }

    [Fact]
    public async Task PendingPod_IsDeletedWhateverTheBudget()
    {
        var ns = await NamespaceAsync("evict-pending");
        await CreatePodAsync(ns, "a");
        await PdbAsync(ns, "web", allowed: 0, current: 0, desired: 1);

        var response = await EvictAsync(ns, "a");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/api/v1/namespaces/{ns}/pods/a")).StatusCode);
    }

    [Fact]
    public async Task TwoPdbs_Are500AsUpstream()
    {
        var ns = await NamespaceAsync("evict-two");
        await RunningPodAsync(ns, "a", ready: true);
        await PdbAsync(ns, "one", allowed: 1, current: 1, desired: 0);
        await PdbAsync(ns, "two", allowed: 1, current: 1, desired: 0);

        var response = await EvictAsync(ns, "a");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync($"/api/v1/namespaces/{ns}/pods/a")).StatusCode);
    }

    [Fact]
    public async Task UnobservedPdbGeneration_Is429StillBeingProcessed()
    {
        var ns = await NamespaceAsync("evict-stale");
        await RunningPodAsync(ns, "a", ready: true);
        await PdbAsync(ns, "web", allowed: 1, current: 1, desired: 0, observedGeneration: 0);

        var response = await EvictAsync(ns, "a");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var cause = (await response.Content.ReadFromJsonAsync<JsonObject>())!["details"]!["causes"]!.AsArray().Single()!;
        Assert.Equal("The disruption budget web is still being processed by the server.", (string?)cause["message"]);
    }

    [Fact]
    public async Task NameMismatch_Is400_AndOtherVerbsAre405()
    {
        var ns = await NamespaceAsync("evict-bad");
        await RunningPodAsync(ns, "a", ready: true);

        var mismatch = await Client.PostAsync($"/api/v1/namespaces/{ns}/pods/a/eviction", Json("""{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"b"}}"""));
        var put = await Client.PutAsync($"/api/v1/namespaces/{ns}/pods/a/eviction", Json("""{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"a"}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Equal("name in URL does not match name in Eviction object", (string?)(await mismatch.Content.ReadFromJsonAsync<JsonObject>())!["message"]);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
    }

    [Theory]
    [InlineData("gone", "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"gone\"}}", 404, "pods \"gone\" not found")]
    [InlineData("a", "", 400, "the request body is empty")]
    [InlineData("a", "{\"metadata\":null}", 400, "name in URL does not match name in Eviction object")]
    [InlineData("a", "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"a\"}}", 400, null)]
    [InlineData("a", "{\"metadata\":{\"name\":\"a\"},\"deleteOptions\":{\"propagationPolicy\":\"Sometimes\"}}", 400, null)]
    [InlineData("a", "{\"metadata\":{\"name\":\"a\"},\"deleteOptions\":{\"gracePeriodSeconds\":\"soon\"}}", 400, null)]
    public async Task MalformedOrMisdirectedEvictions_AreClientErrors_AndTheSeededPodStays(string pod, string body, int code, string? message)
    {
        var ns = await NamespaceAsync("evict-bad-" + Guid.NewGuid().ToString("N")[..6]);
        await RunningPodAsync(ns, "a", ready: true);

        var response = await Client.PostAsync($"/api/v1/namespaces/{ns}/pods/{pod}/eviction", Json(body));

        Assert.Equal(code, (int)response.StatusCode);
        var status = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Status", (string?)status["kind"]);
        if (message is not null)
        {
            Assert.Equal(message, (string?)status["message"]);
        }

        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync($"/api/v1/namespaces/{ns}/pods/a")).StatusCode);
    }

    private Task<HttpResponseMessage> EvictAsync(string ns, string pod, string query = "") =>
        Client.PostAsync($"/api/v1/namespaces/{ns}/pods/{pod}/eviction{query}", Json($$$"""{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"{{{pod}}}","namespace":"{{{ns}}}"}}"""));

    private async Task<string> NamespaceAsync(string name)
    {
        var response = await Client.PostAsync("/api/v1/namespaces", Json($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return name;
    }

    private async Task<JsonObject> CreatePodAsync(string ns, string name)
    {
        var response = await Client.PostAsync($"/api/v1/namespaces/{ns}/pods", Json($$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    // A pod as a kubelet would report it: Running, and Ready or not.
    private async Task RunningPodAsync(string ns, string name, bool ready)
    {
        var pod = await CreatePodAsync(ns, name);
        pod["status"] = JsonNode.Parse($$"""{"phase":"Running","conditions":[{"type":"Ready","status":"{{(ready ? "True" : "False")}}"}]}""");
        var response = await Client.PutAsync($"/api/v1/namespaces/{ns}/pods/{name}/status", Json(pod.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // A PDB selecting app=web whose status is what the disruption controller would have written.
    private async Task PdbAsync(string ns, string name, int allowed, int current, int desired, int observedGeneration = 1)
    {
        var spec = "{\"minAvailable\":" + desired + ",\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}";
        var response = await Client.PostAsync($"/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets", Json($$"""{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"{{name}}"},"spec":{{spec}}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var pdb = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        pdb["status"] = JsonNode.Parse($$"""{"observedGeneration":{{observedGeneration}},"disruptionsAllowed":{{allowed}},"currentHealthy":{{current}},"desiredHealthy":{{desired}},"expectedPods":{{current}}}""");
        var updated = await Client.PutAsync($"/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets/{name}/status", Json(pdb.ToJsonString()));
        Assert.True(updated.StatusCode == HttpStatusCode.OK, await updated.Content.ReadAsStringAsync());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
