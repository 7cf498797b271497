using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.Events;

public sealed class EventStrategyTests
{
    private static readonly DateTime Now = new(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Create_AcceptsAClassicEvent_WhateverItsName()
    {
        Assert.Empty(StrategyRun.Create(Valid(e => e.Metadata.Name = "web.17C5A1B2F3")));
    }

    [Fact]
    public void Create_AcceptsAClusterScopedObjectInDefault()
    {
        Assert.Empty(StrategyRun.Create(Valid(e => e.InvolvedObject = new V1ObjectReference { Kind = "Node", Name = "node-1" })));
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "other namespace", "involvedObject.namespace: Invalid value: \"prod\": does not match event.namespace" },
        { "cluster object outside default", "involvedObject.namespace: Invalid value: \"\": does not match event.namespace" },
        { "new style without controller", "reportingController: Required value" },
        { "new style without instance", "reportingInstance: Required value" },
        { "new style without action", "action: Required value" },
        { "new style reason too long", "reason: Invalid value: \"\": can have at most 128 characters" },
        { "bad namespace", "namespace: Invalid value: \"Prod\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" },
    };

    private static readonly Dictionary<string, Action<Corev1Event>> Edits = new()
    {
        ["other namespace"] = e => e.InvolvedObject.NamespaceProperty = "prod",
        ["cluster object outside default"] = e => (e.Metadata.NamespaceProperty, e.InvolvedObject.NamespaceProperty) = ("kube-system", null),
        ["new style without controller"] = NewStyle(e => e.ReportingComponent = null),
        ["new style without instance"] = NewStyle(e => e.ReportingInstance = null),
        ["new style without action"] = NewStyle(e => e.Action = null),
        ["new style reason too long"] = NewStyle(e => e.Reason = new string('r', 129)),
        ["bad namespace"] = e => (e.Metadata.NamespaceProperty, e.InvolvedObject.NamespaceProperty) = ("Prod", "Prod"),
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        Assert.Contains(message, StrategyRun.Create(Valid(Edits[name])));
    }

    [Fact]
    public void Update_ThroughCoreV1_OnlyAppliesTheLegacyRules()
    {
        var old = StrategyRun.Created(Valid());
        var updated = StrategyRun.Copy(old);
        updated.Count = 5;
        updated.LastTimestamp = Now.AddMinutes(1);
        updated.Message = "Back-off pulling image";

        Assert.Empty(StrategyRun.Update(updated, old));
    }

    [Fact]
    public void SelectableFields_AreUpstreams()
    {
        var fields = StrategyRun.For<Corev1Event>().SelectableFields(Valid());

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["metadata.name"] = "web.1",
                ["metadata.namespace"] = "default",
                ["involvedObject.kind"] = "Pod",
                ["involvedObject.namespace"] = "default",
                ["involvedObject.name"] = "web",
                ["involvedObject.uid"] = "u1",
                ["involvedObject.apiVersion"] = "v1",
                ["involvedObject.resourceVersion"] = "",
                ["involvedObject.fieldPath"] = "spec.containers{app}",
                ["reason"] = "Pulling",
                ["reportingComponent"] = "",
                ["source"] = "kubelet",
                ["type"] = "Normal",
            },
            fields);
    }

    private static Action<Corev1Event> NewStyle(Action<Corev1Event> edit) => e =>
    {
        e.EventTime = Now;
        e.ReportingComponent = "kubelet";
        e.ReportingInstance = "node-1";
        e.Action = "Pulling";
        edit(e);
    };

    private static Corev1Event Valid(Action<Corev1Event>? edit = null)
    {
        var ev = new Corev1Event
        {
            Metadata = Meta.Named("web.1"),
            InvolvedObject = new V1ObjectReference { Kind = "Pod", NamespaceProperty = "default", Name = "web", Uid = "u1", ApiVersion = "v1", FieldPath = "spec.containers{app}" },
            Reason = "Pulling",
            Message = "Pulling image \"nginx\"",
            Source = new V1EventSource { Component = "kubelet", Host = "node-1" },
            FirstTimestamp = Now,
            LastTimestamp = Now,
            Count = 1,
            Type = "Normal",
        };
        edit?.Invoke(ev);
        return ev;
    }
}
