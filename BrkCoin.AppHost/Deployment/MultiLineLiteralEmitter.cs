using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace BrkCoin.AppHost.Deployment;

/// <summary>
/// Writes a string that spans lines (a shell script with a here-document) as a literal block,
/// line for line as the shell reads it, instead of YamlDotNet's folded style, which a reader must
/// unfold in their head (every newline doubled into a blank line).
/// </summary>
public sealed class MultiLineLiteralEmitter(IEventEmitter next) : ChainedEventEmitter(next)
{
    public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
    {
        if (eventInfo.Source.Value is string text && text.Contains('\n', StringComparison.Ordinal))
        {
            eventInfo.Style = ScalarStyle.Literal;
        }

        base.Emit(eventInfo, emitter);
    }
}
