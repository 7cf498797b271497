using Cetus.Api.Apply;
using k8s.Models;
using Xunit;
using static Cetus.Api.Tests.Apply.ApplyAssert;

namespace Cetus.Api.Tests.Apply;

public sealed class ServerSideApplyTests
{
    private const string Manifest = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
         "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}}}
        """;

    private const string ManifestFields =
        """{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""";

    [Fact]
    public void Apply_Create_ReturnsTheConfigurationOwnedByTheManager()
    {
        var created = Applied(null, Manifest, "kubectl", T1);

        JsonEqual(Manifest, Data(created));
        Assert.Equal(
            "[{\"manager\":\"kubectl\",\"operation\":\"Apply\",\"apiVersion\":\"apps/v1\",\"time\":\"2026-01-02T03:04:05Z\","
            + "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":" + ManifestFields + "}]",
            ManagedFieldsText(created));
    }

    [Fact]
    public void Apply_ChangedField_UpdatesValueAndTimeAndKeepsTheSet()
    {
        var live = Applied(null, Manifest, "kubectl", T1);

        var result = Applied(live, Manifest.Replace("\"replicas\":2", "\"replicas\":3", StringComparison.Ordinal), "kubectl", T2);

        Assert.Equal(3, (int)result["spec"]!["replicas"]!);
        Assert.Equal(ManifestFields, FieldsOf(result, "kubectl"));
        Assert.Equal("2026-01-02T04:00:00Z", (string?)result["metadata"]!["managedFields"]![0]!["time"]);
    }

    [Fact]
    public void Apply_Unchanged_KeepsTheEntryTime()
    {
        var live = Applied(null, Manifest, "kubectl", T1);

        var result = Applied(live, Manifest, "kubectl", T2);

        Assert.Equal(ManagedFieldsText(live), ManagedFieldsText(result));
    }

    [Fact]
    public void Apply_OmittedField_IsRemovedFromObjectAndSet()
    {
        var live = Applied(null, """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"},"annotations":{"team":"a"}},"spec":{"replicas":2,"paused":false}}
            """, "kubectl", T1);

        var result = Applied(live, """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":2}}
            """, "kubectl", T2);

        JsonEqual("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":2}}""", Data(result));
        Assert.Equal("""{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{}}}""", FieldsOf(result, "kubectl"));
    }

    [Fact]
    public void Apply_OmittedField_StaysWhileAnotherManagerOwnsIt()
    {
        var live = Applied(null, Manifest, "kubectl", T1);
        live = Applied(live, """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}}""", "ci", T1);

        var result = Applied(live, Manifest.Replace("\"replicas\":2,", "", StringComparison.Ordinal), "kubectl", T2);

        Assert.Equal(2, (int)result["spec"]!["replicas"]!);
        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", FieldsOf(result, "ci"));
    }

    [Fact]
    public void Apply_SameValueAsAnotherManager_SharesOwnershipWithoutConflict()
    {
        var live = Applied(null, Manifest, "kubectl", T1);

        var result = ServerSideApply.Apply(live, Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}}"""), "ci", force: false, typeof(V1Deployment), T2);

        Assert.Empty(result.Conflicts);
        Assert.Equal(ManifestFields, FieldsOf(result.Object!, "kubectl"));
        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", FieldsOf(result.Object!, "ci"));
    }

    [Fact]
    public void Apply_FieldChangedByAnUpdateManager_Conflicts()
    {
        var live = Applied(null, Manifest, "kubectl", T1);
        live = Updated(live, Data(live).ToJsonString().Replace("\"replicas\":2", "\"replicas\":5", StringComparison.Ordinal), "kubectl-scale", T1);

        var result = ServerSideApply.Apply(live, Obj(Manifest), "kubectl", force: false, typeof(V1Deployment), T2);

        Assert.Null(result.Object);
        Assert.Equal([new ApplyConflict("kubectl-scale", ".spec.replicas")], result.Conflicts);
    }

    [Fact]
    public void Apply_Force_TakesOwnershipAndDropsTheEmptiedEntry()
    {
        var live = Applied(null, Manifest, "kubectl", T1);
        live = Updated(live, Data(live).ToJsonString().Replace("\"replicas\":2", "\"replicas\":5", StringComparison.Ordinal), "kubectl-scale", T1);

        var result = Applied(live, Manifest, "kubectl", T2, force: true);

        Assert.Equal(2, (int)result["spec"]!["replicas"]!);
        Assert.Equal(["kubectl/Apply"], Managers(result));
        Assert.Equal(ManifestFields, FieldsOf(result, "kubectl"));
    }

    [Fact]
    public void Apply_ContainersMergeByName_OtherManagersContainerStays()
    {
        var live = Applied(null, Manifest, "kubectl", T1);
        live = Applied(live, """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"envoy:1"}]}}}}
            """, "injector", T1);

        var result = Applied(live, Manifest.Replace("nginx:1.26", "nginx:1.27", StringComparison.Ordinal), "kubectl", T2);

        JsonEqual("""[{"name":"app","image":"nginx:1.27"},{"name":"sidecar","image":"envoy:1"}]""", result["spec"]!["template"]!["spec"]!["containers"]);
        Assert.Equal(
            """{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"sidecar\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""",
            FieldsOf(result, "injector"));
    }

    [Fact]
    public void Apply_ChangingAnotherManagersContainerField_ConflictsOnThatField()
    {
        var live = Applied(null, Manifest, "kubectl", T1);

        var result = ServerSideApply.Apply(live, Obj("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:2"}]}}}}
            """), "other", force: false, typeof(V1Deployment), T2);

        Assert.Equal([new ApplyConflict("kubectl", ".spec.template.spec.containers[name=\"app\"].image")], result.Conflicts);
    }

    [Fact]
    public void Apply_OmittedContainer_IsRemovedWhenOnlyThisManagerOwnedIt()
    {
        var twoContainers = Manifest.Replace(
            """{"name":"app","image":"nginx:1.26"}""", """{"name":"app","image":"nginx:1.26"},{"name":"log","image":"fluent"}""", StringComparison.Ordinal);
        var live = Applied(null, twoContainers, "kubectl", T1);

        var result = Applied(live, Manifest, "kubectl", T2);

        JsonEqual("""[{"name":"app","image":"nginx:1.26"}]""", result["spec"]!["template"]!["spec"]!["containers"]);
    }

    [Fact]
    public void Apply_SetListItems_AreOwnedByValue()
    {
        var result = Applied(null, """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["a/b"]}}""", "kubectl", T1);

        Assert.Equal("""{"f:metadata":{"f:finalizers":{"v:\"a/b\"":{}}}}""", FieldsOf(result, "kubectl"));
    }

    [Fact]
    public void Apply_StatusAndServerMetadata_AreNeitherOwnedNorApplied()
    {
        var result = Applied(null, """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","uid":"u1","resourceVersion":"7","generation":3,"managedFields":[{"manager":"forged","operation":"Apply"}]},
             "spec":{"paused":true},"status":{"replicas":9}}
            """, "kubectl", T1);

        Assert.Null(result["status"]);
        Assert.Equal(["kubectl/Apply"], Managers(result));
        Assert.Equal("""{"f:spec":{"f:paused":{}}}""", FieldsOf(result, "kubectl"));
    }
}
