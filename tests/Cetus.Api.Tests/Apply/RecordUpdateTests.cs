using Xunit;
using static Cetus.Api.Tests.Apply.ApplyAssert;

namespace Cetus.Api.Tests.Apply;

public sealed class RecordUpdateTests
{
    private const string Labelled = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":2}}
        """;

    [Fact]
    public void RecordUpdate_Create_OwnsEveryFieldAndMarksNewMaps()
    {
        var created = Updated(null, Labelled, "kubectl-create", T1);

        Assert.Equal(
            "[{\"manager\":\"kubectl-create\",\"operation\":\"Update\",\"apiVersion\":\"apps/v1\",\"time\":\"2026-01-02T03:04:05Z\","
            + "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{}}},\"f:spec\":{\"f:replicas\":{}}}}]",
            ManagedFieldsText(created));
    }

    [Fact]
    public void RecordUpdate_LabelChange_MovesTheLabelAndAddsTheNewOne()
    {
        var live = Applied(null, Labelled, "kubectl", T1);

        var result = Updated(live, """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"api","tier":"fe"}},"spec":{"replicas":2}}
            """, "kubectl-label", T2);

        Assert.Equal(["kubectl/Apply", "kubectl-label/Update"], Managers(result));
        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", FieldsOf(result, "kubectl"));
        Assert.Equal("""{"f:metadata":{"f:labels":{"f:app":{},"f:tier":{}}}}""", FieldsOf(result, "kubectl-label", "Update"));
    }

    [Fact]
    public void RecordUpdate_RemovedField_LeavesEverySetAndEmptyEntriesGo()
    {
        var live = Applied(null, Labelled, "kubectl", T1);
        live = Updated(live, Labelled.Replace("\"app\":\"web\"", "\"app\":\"web\",\"tier\":\"fe\"", StringComparison.Ordinal), "labeler", T1);

        var result = Updated(live, Labelled.Replace("\"labels\":{\"app\":\"web\"}", "\"labels\":{}", StringComparison.Ordinal), "editor", T2);

        Assert.Equal(["kubectl/Apply"], Managers(result));
        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", FieldsOf(result, "kubectl"));
    }

    [Fact]
    public void RecordUpdate_NoChange_AddsNoEntry()
    {
        var live = Applied(null, Labelled, "kubectl", T1);

        var result = Updated(live, Labelled, "editor", T2);

        Assert.Equal(ManagedFieldsText(live), ManagedFieldsText(result));
    }
}
