using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>Tolerations and taint effects.</summary>
internal static class TolerationValidation
{
    /// <summary>The taint effects, in the order Kubernetes lists them.</summary>
    public static readonly IReadOnlyList<string> Effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    private static readonly IReadOnlyList<string> Operators = ["Equal", "Exists"];

    public static IEnumerable<FieldError> Tolerations(IList<V1Toleration>? tolerations, FieldPath path)
    {
        var errors = new List<FieldError>();
        for (var i = 0; i < (tolerations?.Count ?? 0); i++)
        {
            var toleration = tolerations![i];
            var itemPath = path.Index(i);
            var key = toleration.Key ?? "";
            var op = toleration.OperatorProperty ?? "";
            var effect = toleration.Effect ?? "";
            if (key.Length > 0)
            {
                errors.AddRange(LabelValidation.LabelName(key, itemPath.Child("key")));
            }

            if (key.Length == 0 && op != "Exists")
            {
                errors.Add(FieldErrors.Invalid(itemPath.Child("operator"), op, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            }

            if (toleration.TolerationSeconds is not null && effect != "NoExecute")
            {
                errors.Add(FieldErrors.Invalid(itemPath.Child("effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
            }

            switch (op)
            {
                case "Equal" or "":
                    var messages = QualifiedNames.IsLabelValue(toleration.Value ?? "");
                    if (messages.Count > 0)
                    {
                        errors.Add(FieldErrors.Invalid(itemPath.Child("operator"), toleration.Value ?? "", string.Join(";", messages)));
                    }

                    break;
                case "Exists":
                    if (!string.IsNullOrEmpty(toleration.Value))
                    {
                        errors.Add(FieldErrors.Invalid(itemPath.Child("operator"), toleration.Value, "value must be empty when `operator` is 'Exists'"));
                    }

                    break;
                default:
                    errors.Add(FieldErrors.NotSupported(itemPath.Child("operator"), op, Operators));
                    break;
            }

            if (effect.Length > 0)
            {
                errors.AddRange(Effect(effect, allowEmpty: true, itemPath.Child("effect")));
            }
        }

        return errors;
    }

    /// <summary>One of NoSchedule, PreferNoSchedule, NoExecute (or empty, where that means all).</summary>
    public static IEnumerable<FieldError> Effect(string effect, bool allowEmpty, FieldPath path)
    {
        if (!allowEmpty && effect.Length == 0)
        {
            yield return FieldErrors.Required(path);
        }
        else if (!Effects.Contains(effect))
        {
            yield return FieldErrors.NotSupported(path, effect, Effects);
        }
    }
}
