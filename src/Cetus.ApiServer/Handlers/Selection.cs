using Cetus.Api.Selectors;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Registry;

namespace Cetus.ApiServer.Handlers;

/// <summary>The label and field selectors of a list or watch; fields must be ones the kind supports.</summary>
internal sealed class Selection
{
    private readonly LabelSelector? _labels;
    private readonly FieldSelector? _fields;

    private Selection(LabelSelector? labels, FieldSelector? fields)
    {
        _labels = labels;
        _fields = fields;
    }

    public bool IsEverything => _labels is null && _fields is null;

    public static Selection From(ResourceRequest request, IReadOnlyCollection<string> supportedFields)
    {
        LabelSelector? labels = null;
        FieldSelector? fields = null;
        try
        {
            if (request.Query("labelSelector") is { Length: > 0 } labelText)
            {
                labels = LabelSelector.Parse(labelText);
            }

            if (request.Query("fieldSelector") is { Length: > 0 } fieldText)
            {
                fields = FieldSelector.Parse(fieldText);
            }
        }
        catch (SelectorException e)
        {
            throw Problems.BadRequest(e.Message);
        }

        if (fields is not null)
        {
            foreach (var requirement in fields.Requirements)
            {
                if (!supportedFields.Contains(requirement.Field))
                {
                    throw Problems.BadRequest($"field label not supported: {requirement.Field}");
                }
            }
        }

        return new Selection(labels, fields);
    }

    public bool Matches(StoredObject item) =>
        (_labels is null || _labels.Matches(item.Item.Metadata.Labels)) &&
        (_fields is null || _fields.Matches(item.Fields));
}
