using System.Text;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>Event validation (core/validation/events.go): the legacy rules, and the strict ones of events.k8s.io/v1.</summary>
internal static class EventValidation
{
    private const int ReportingInstanceLimit = 128;
    private const int ActionLimit = 128;
    private const int ReasonLimit = 128;
    private const int NoteLimit = 1024;

    /// <summary>What every event must satisfy, whichever API wrote it.</summary>
    public static IEnumerable<FieldError> Legacy(EventFields e)
    {
        var errors = new List<FieldError>();
        var ns = e.Metadata?.NamespaceProperty ?? "";
        var involvedNs = e.InvolvedObject?.NamespaceProperty ?? "";
        var namespacePath = FieldPath.Root("involvedObject").Child("namespace");
        if (e.EventTime is null)
        {
            // An old-style event must be in its object's namespace (or "default", for old clients, if the object has none).
            if (involvedNs.Length == 0 ? ns is not ("" or "default") : ns != involvedNs)
            {
                errors.Add(FieldErrors.Invalid(namespacePath, involvedNs, "does not match event.namespace"));
            }
        }
        else
        {
            if (involvedNs.Length == 0 && ns is not ("default" or "kube-system"))
            {
                errors.Add(FieldErrors.Invalid(namespacePath, involvedNs, "does not match event.namespace"));
            }

            var controller = e.ReportingController ?? "";
            if (controller.Length == 0)
            {
                errors.Add(FieldErrors.Required(FieldPath.Root("reportingController")));
            }

            errors.AddRange(QualifiedNames.IsQualifiedName(controller).Select(m => FieldErrors.Invalid(FieldPath.Root("reportingController"), controller, m)));
            errors.AddRange(Limited(e.ReportingInstance, "reportingInstance", ReportingInstanceLimit, required: true));
            errors.AddRange(Limited(e.Action, "action", ActionLimit, required: true));
            errors.AddRange(Limited(e.Reason, "reason", ReasonLimit, required: true));
            errors.AddRange(Limited(e.Message, "message", NoteLimit, required: false));
        }

        errors.AddRange(DnsNames.IsDns1123Subdomain(ns).Select(m => FieldErrors.Invalid(FieldPath.Root("namespace"), ns, m)));
        return errors;
    }

    /// <summary>Create through events.k8s.io/v1: full metadata rules, eventTime and a known type, no deprecated fields.</summary>
    public static IEnumerable<FieldError> StrictCreate(EventFields e)
    {
        var errors = ObjectMetaValidation.ValidateCreate(e.Metadata, namespaced: true, NameValidators.DnsSubdomain).ToList();
        errors.AddRange(Series(e));
        if (e.EventTime is null)
        {
            errors.Add(FieldErrors.Required(FieldPath.Root("eventTime")));
        }

        if (e.Type is not ("Normal" or "Warning"))
        {
            errors.Add(FieldErrors.Invalid(FieldPath.Root("type"), "", "has invalid value: " + e.Type));
        }

        const string unset = "needs to be unset";
        if (e.FirstTimestamp is not null)
        {
            errors.Add(FieldErrors.Invalid(FieldPath.Root("firstTimestamp"), "", unset));
        }

        if (e.LastTimestamp is not null)
        {
            errors.Add(FieldErrors.Invalid(FieldPath.Root("lastTimestamp"), "", unset));
        }

        if ((e.Count ?? 0) != 0)
        {
            errors.Add(FieldErrors.Invalid(FieldPath.Root("count"), "", unset));
        }

        if (!string.IsNullOrEmpty(e.Source?.Component) || !string.IsNullOrEmpty(e.Source?.Host))
        {
            errors.Add(FieldErrors.Invalid(FieldPath.Root("source"), "", unset));
        }

        return errors;
    }

    /// <summary>Update through events.k8s.io/v1: a changed series must be valid; what the event says may not change.</summary>
    public static IEnumerable<FieldError> StrictUpdate(EventFields e, EventFields old)
    {
        var errors = ObjectMetaValidation.ValidateUpdate(e.Metadata, old.Metadata).ToList();
        if (e.HasSeries != old.HasSeries || e.SeriesCount != old.SeriesCount || e.SeriesLastObservedTime != old.SeriesLastObservedTime)
        {
            errors.AddRange(Series(e));
        }

        void Check(string field, bool changed, object? value)
        {
            if (changed)
            {
                errors.Add(FieldErrors.Immutable(FieldPath.Root(field), value));
            }
        }

        Check("involvedObject", !JsonEquality.Same(e.InvolvedObject, old.InvolvedObject), GoSyntax.ObjectReference(e.InvolvedObject ?? new V1ObjectReference()));
        Check("reason", e.Reason != old.Reason, e.Reason ?? "");
        Check("message", e.Message != old.Message, e.Message ?? "");
        Check("source", !JsonEquality.Same(e.Source, old.Source), GoSyntax.EventSource(e.Source));
        Check("firstTimestamp", e.FirstTimestamp != old.FirstTimestamp, GoSyntax.Time(e.FirstTimestamp ?? DateTime.MinValue));
        Check("lastTimestamp", e.LastTimestamp != old.LastTimestamp, GoSyntax.Time(e.LastTimestamp ?? DateTime.MinValue));
        Check("count", (e.Count ?? 0) != (old.Count ?? 0), e.Count ?? 0);
        Check("type", e.Type != old.Type, e.Type ?? "");
        Check("eventTime", e.EventTime != old.EventTime, GoSyntax.Time(e.EventTime ?? DateTime.MinValue));
        Check("action", e.Action != old.Action, e.Action ?? "");
        Check("related", !JsonEquality.Same(e.Related, old.Related), GoSyntax.ObjectReference(e.Related));
        Check("reportingController", e.ReportingController != old.ReportingController, e.ReportingController ?? "");
        Check("reportingInstance", e.ReportingInstance != old.ReportingInstance, e.ReportingInstance ?? "");
        return errors;
    }

    private static IEnumerable<FieldError> Series(EventFields e)
    {
        if (!e.HasSeries)
        {
            yield break;
        }

        if ((e.SeriesCount ?? 0) < 2)
        {
            yield return FieldErrors.Invalid(FieldPath.Root("series.count"), "", "should be at least 2");
        }

        if (e.SeriesLastObservedTime is null)
        {
            yield return FieldErrors.Required(FieldPath.Root("series.lastObservedTime"));
        }
    }

    private static IEnumerable<FieldError> Limited(string? value, string field, int limit, bool required)
    {
        if (required && string.IsNullOrEmpty(value))
        {
            yield return FieldErrors.Required(FieldPath.Root(field));
        }

        if (Encoding.UTF8.GetByteCount(value ?? "") > limit)
        {
            yield return FieldErrors.Invalid(FieldPath.Root(field), "", $"can have at most {limit} characters");
        }
    }
}
