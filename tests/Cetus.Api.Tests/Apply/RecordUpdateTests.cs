using System.Text.Json.Nodes;
using Cetus.Api.Apply;
using k8s.Models;
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

    // A live object owned by three managers: kubectl applied labels and replicas (T1), "scaler" then took replicas
    // (T1), "annotator" owns an annotation (T2, the latest).
    private static JsonObject ThreeManagers()
    {
        var live = Applied(null, Labelled, "kubectl", T1);
        live = Updated(live, Labelled.Replace("\"replicas\":2", "\"replicas\":3", StringComparison.Ordinal), "scaler", T1);
        return Updated(live, Labelled.Replace("\"replicas\":2", "\"replicas\":3", StringComparison.Ordinal).Replace("\"labels\"", "\"annotations\":{\"note\":\"x\"},\"labels\"", StringComparison.Ordinal), "annotator", T2);
    }

    public static TheoryData<string, string, string, bool> Writes => new()
    {
        // The scaler writes replicas again, which it alone owns: its entry only takes the new time (and moves last).
        { "scaler rewrites its own field", "scaler", "\"replicas\":3|\"replicas\":5", true },
        // Nothing changes at all: every entry stands, no time moves.
        { "no change", "editor", "", true },
        // The annotator's field by another manager: ownership moves.
        { "another's field", "scaler", "\"note\":\"x\"|\"note\":\"y\"", false },
        // A field nobody owned yet: the writer's set grows.
        { "a new field", "scaler", "\"app\":\"web\"}|\"app\":\"web\",\"tier\":\"fe\"}", false },
        // A removed field leaves every set.
        { "a removal", "annotator", "\"annotations\":{\"note\":\"x\"},|", false },
        // Another manager's field, by a manager without an entry of its own.
        { "a manager without an entry", "resizer", "\"replicas\":3|\"replicas\":5", false },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public void RecordUpdateOwnership_KeepsTheLiveEntries_OnlyWhenTheComputationGivesThemBack(string write, string manager, string change, bool kept)
    {
        var live = ThreeManagers();
        var text = Data(live).ToJsonString();
        if (change.Length > 0)
        {
            var parts = change.Split('|');
            Assert.Contains(parts[0], text, StringComparison.Ordinal);
            text = text.Replace(parts[0], parts[1], StringComparison.Ordinal);
        }

        var updated = Obj(text);
        var computed = ServerSideApply.RecordUpdateManagedFields(live, updated, manager, "", typeof(V1Deployment), T2.AddHours(1));
        var ownership = ServerSideApply.RecordUpdateOwnership(live, updated, manager, "", typeof(V1Deployment), T2.AddHours(1));

        // Read from the serialized managedFields (their field sets shared through FieldsV1Cache), the outcome is the same.
        var withoutEntries = live.DeepClone().AsObject();
        var serialized = System.Text.Encoding.UTF8.GetBytes(Text(withoutEntries["metadata"]!.AsObject()["managedFields"]!));
        withoutEntries["metadata"]!.AsObject().Remove("managedFields");
        var fromBytes = ServerSideApply.RecordUpdateOwnership(withoutEntries, updated, manager, "", typeof(V1Deployment), T2.AddHours(1), serialized);
        Assert.Equal(ownership.LiveOrder, fromBytes.LiveOrder);
        Assert.Equal(ownership.Retouched, fromBytes.Retouched);
        Assert.Equal(ownership.ManagedFields is null ? null : Text(ownership.ManagedFields), fromBytes.ManagedFields is null ? null : Text(fromBytes.ManagedFields));

        Assert.True(kept == ownership.LiveOrder is not null, write);
        if (ownership.LiveOrder is not { } order)
        {
            Assert.Equal(Text(computed!), Text(ownership.ManagedFields!));
            return;
        }

        var entries = live["metadata"]!["managedFields"]!.AsArray();
        var rebuilt = new JsonArray([.. order.Select(i =>
        {
            var entry = entries[i]!.DeepClone();
            if (i == ownership.Retouched)
            {
                entry["time"] = "2026-01-02T05:00:00Z";
            }

            return entry;
        })]);
        Assert.Equal(Text(computed!), Text(rebuilt));
        Assert.Equal(write == "no change" ? -1 : 1, ownership.Retouched);
        Assert.Equal(write == "no change" ? [0, 1, 2] : [0, 2, 1], order);
    }
}
