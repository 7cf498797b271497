using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using k8s.Models;

namespace Cetus.Api.Resources.EventsV1;

/// <summary>
/// events.k8s.io/v1 Events: the strict rules (eventTime, type, reporting fields, series, no deprecated fields) on top
/// of the legacy ones, and what an event says is immutable. Errors use the internal field names (involvedObject,
/// message, source…), as kube-apiserver's do for this API.
/// </summary>
internal sealed class EventStrategy : ResourceStrategy<Eventsv1Event>
{
    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateCreate(Eventsv1Event item)
    {
        var fields = Fields(item);
        return EventValidation.Legacy(fields).Concat(EventValidation.StrictCreate(fields)).ToList();
    }

    /// <inheritdoc />
    protected override IReadOnlyList<FieldError> ValidateUpdate(Eventsv1Event item, Eventsv1Event old)
    {
        var fields = Fields(item);
        return EventValidation.Legacy(fields).Concat(EventValidation.StrictUpdate(fields, Fields(old))).ToList();
    }

    /// <inheritdoc />
    protected override void AddSelectableFields(Eventsv1Event item, Dictionary<string, string> fields)
    {
        var regarding = item.Regarding;
        fields["regarding.kind"] = regarding?.Kind ?? "";
        fields["regarding.namespace"] = regarding?.NamespaceProperty ?? "";
        fields["regarding.name"] = regarding?.Name ?? "";
        fields["regarding.uid"] = regarding?.Uid ?? "";
        fields["regarding.apiVersion"] = regarding?.ApiVersion ?? "";
        fields["regarding.resourceVersion"] = regarding?.ResourceVersion ?? "";
        fields["regarding.fieldPath"] = regarding?.FieldPath ?? "";
        fields["reason"] = item.Reason ?? "";
        fields["reportingController"] = item.ReportingController ?? "";
        fields["source"] = string.IsNullOrEmpty(item.DeprecatedSource?.Component) ? item.ReportingController ?? "" : item.DeprecatedSource.Component;
        fields["type"] = item.Type ?? "";
    }

    // The client model cannot tell an absent series time from DateTime.MinValue; that value means unset.
    private static EventFields Fields(Eventsv1Event e) => new(
        e.Metadata, e.Regarding, e.Reason, e.Note, e.DeprecatedSource, e.DeprecatedFirstTimestamp, e.DeprecatedLastTimestamp, e.DeprecatedCount,
        e.Type, e.EventTime, e.Series?.Count, e.Series is null || e.Series.LastObservedTime == default ? null : e.Series.LastObservedTime,
        e.Series is not null, e.Action, e.Related, e.ReportingController, e.ReportingInstance);
}
