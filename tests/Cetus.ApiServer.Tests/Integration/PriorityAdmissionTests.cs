using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

/// <summary>
/// scheduling.k8s.io/v1 PriorityClasses and the Priority admission plugin: the built-in classes exist from the start,
/// a created pod gets the value and preemption policy of its class (or of the globalDefault one), an unknown class or
/// a disagreeing spec.priority is 403, and only one class may be the global default.
/// </summary>
public sealed class PriorityAdmissionTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    private const string Classes = "/apis/scheduling.k8s.io/v1/priorityclasses";
    private const string Pods = "/api/v1/namespaces/default/pods";

    private HttpClient Client => server.Client;

    [Theory]
    [InlineData("system-cluster-critical", 2000000000)]
    [InlineData("system-node-critical", 2000001000)]
    public async Task BuiltInClasses_ExistFromTheStart(string name, int value)
    {
        var found = (await Client.GetFromJsonAsync<JsonObject>($"{Classes}/{name}"))!;

        Assert.Equal(value, (int)found["value"]!);
        Assert.Equal("PreemptLowerPriority", (string?)found["preemptionPolicy"]);
    }

    [Fact]
    public async Task PodCreate_NamedClass_SetsPriorityAndPreemptionPolicy()
    {
        await CreateClassAsync("admission-never", 500, "Never");

        var pod = await CreatePodAsync("with-class", """ "priorityClassName":"admission-never" """, HttpStatusCode.Created);

        Assert.Equal(500, (int)pod["spec"]!["priority"]!);
        Assert.Equal("Never", (string?)pod["spec"]!["preemptionPolicy"]);
    }

    [Fact]
    public async Task PodCreate_UnknownClass_Is403WithUpstreamMessage()
    {
        var status = await CreatePodAsync("unknown-class", """ "priorityClassName":"nope" """, HttpStatusCode.Forbidden);

        Assert.Equal("pods \"unknown-class\" is forbidden: no PriorityClass with name nope was found", (string?)status["message"]);
        Assert.Equal("Forbidden", (string?)status["reason"]);
    }

    [Fact]
    public async Task PodCreate_DisagreeingPriority_Is403_AgreeingIsAccepted()
    {
        await CreateClassAsync("admission-ten", 10, null);

        var refused = await CreatePodAsync("wrong-priority", """ "priorityClassName":"admission-ten","priority":7 """, HttpStatusCode.Forbidden);
        var accepted = await CreatePodAsync("same-priority", """ "priorityClassName":"admission-ten","priority":10 """, HttpStatusCode.Created);

        Assert.Equal("pods \"wrong-priority\" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 10 from the given PriorityClass name", (string?)refused["message"]);
        Assert.Equal(10, (int)accepted["spec"]!["priority"]!);
    }

    [Fact]
    public async Task GlobalDefault_AppliesToPodsWithoutClass_AndOnlyOneMayExist()
    {
        var before = await CreatePodAsync("before-default", string.Empty, HttpStatusCode.Created);
        await CreateClassAsync("admission-default", 42, null, globalDefault: true);
        try
        {
            var after = await CreatePodAsync("after-default", string.Empty, HttpStatusCode.Created);
            var second = await Client.PostAsync(Classes, Json("""{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"admission-default-2"},"value":1,"globalDefault":true}"""));

            Assert.Equal(0, (int)before["spec"]!["priority"]!);
            Assert.Null(before["spec"]!["priorityClassName"]);
            Assert.Equal(42, (int)after["spec"]!["priority"]!);
            Assert.Equal("admission-default", (string?)after["spec"]!["priorityClassName"]);
            Assert.Equal(HttpStatusCode.Forbidden, second.StatusCode);
            var status = (await second.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal("priorityclasses.scheduling.k8s.io \"admission-default-2\" is forbidden: PriorityClass admission-default is marked as default. Only one default can exist", (string?)status["message"]);
        }
        finally
        {
            await Client.DeleteAsync($"{Classes}/admission-default");
        }
    }

    [Fact]
    public async Task ClassUpdate_ChangingValue_Is422()
    {
        var created = await CreateClassAsync("admission-fixed", 3, null);
        created["value"] = 4;

        var response = await Client.PutAsync($"{Classes}/admission-fixed", Json(created.ToJsonString()));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var status = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Contains("value: Forbidden: may not be changed in an update.", (string?)status["message"], StringComparison.Ordinal);
    }

    private async Task<JsonObject> CreateClassAsync(string name, int value, string? policy, bool globalDefault = false)
    {
        var policyField = policy is null ? string.Empty : $",\"preemptionPolicy\":\"{policy}\"";
        var response = await Client.PostAsync(Classes, Json($$"""{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"{{name}}"},"value":{{value}},"globalDefault":{{(globalDefault ? "true" : "false")}}{{policyField}}}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<JsonObject> CreatePodAsync(string name, string specFields, HttpStatusCode expected)
    {
        var extra = string.IsNullOrWhiteSpace(specFields) ? string.Empty : specFields + ",";
        var response = await Client.PostAsync(Pods, Json($$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}"},"spec":{{{{extra}}}"containers":[{"name":"c","image":"busybox"}]}}"""));
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(expected == response.StatusCode, body.ToJsonString());
        return body;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
