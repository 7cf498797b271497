using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.Events;

/// <summary>
/// core/v1 Events (pkg/registry/core/event): only the legacy rules apply through this API, for compatibility with old
/// clients (its name is not checked beyond what every object gets); selectable by involved object, reason, source, type.
/// </summary>
internal sealed class EventStrategy : ResourceStrategy<Corev1Event>
{
    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(Corev1Event item) => EventValidation.Legacy(Fields(item)).ToList();

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(Corev1Event item, Corev1Event old) => EventValidation.Legacy(Fields(item)).ToList();

    /// <inheritdoc />
    protected override void AddSelectableFields(Corev1Event item, Dictionary<string, string> fields)
    {
        var involved = item.InvolvedObject;
        fields["involvedObject.kind"] = involved?.Kind ?? "";
        fields["involvedObject.namespace"] = involved?.NamespaceProperty ?? "";
        fields["involvedObject.name"] = involved?.Name ?? "";
        fields["involvedObject.uid"] = involved?.Uid ?? "";
        fields["involvedObject.apiVersion"] = involved?.ApiVersion ?? "";
        fields["involvedObject.resourceVersion"] = involved?.ResourceVersion ?? "";
        fields["involvedObject.fieldPath"] = involved?.FieldPath ?? "";
        fields["reason"] = item.Reason ?? "";
        fields["reportingComponent"] = item.ReportingComponent ?? "";
        fields["source"] = string.IsNullOrEmpty(item.Source?.Component) ? item.ReportingComponent ?? "" : item.Source.Component;
        fields["type"] = item.Type ?? "";
    }

    private static EventFields Fields(Corev1Event e) => new(
        e.Metadata, e.InvolvedObject, e.Reason, e.Message, e.Source, e.FirstTimestamp, e.LastTimestamp, e.Count, e.Type, e.EventTime,
        e.Series?.Count, e.Series?.LastObservedTime, e.Series is not null, e.Action, e.Related, e.ReportingComponent, e.ReportingInstance);
}
