using BrkCoin.WebUi.Lesson;
using BrkCoin.WebUi.Workshop;

namespace BrkCoin.Tests.Lesson;

/// <summary>What each step of the lesson is called on the chart.</summary>
public sealed class LessonShapeTests
{
    private static readonly WorkshopSettings Start = new(1, 1, 1, TimeSpan.FromMilliseconds(100), 1, TimeSpan.FromMilliseconds(100));

    [Fact]
    public void Each_step_of_the_lesson_is_named_by_what_changed()
    {
        var two = Start with { Workers = 2 };
        var ten = Start with { Workers = 10 };
        var fiveRng = ten with { RngReplicas = 5 };
        var slowHasher = fiveRng with { HasherLatency = TimeSpan.FromSeconds(1) };
        var noCap = Start with { Workers = 10, RngConcurrentRequests = 0 };

        Assert.Equal("2 workers", Shape(two).MarkSince(Shape(Start)));
        Assert.Equal("10 workers", Shape(ten).MarkSince(Shape(two)));
        Assert.Equal("5 rng", Shape(fiveRng).MarkSince(Shape(ten)));
        Assert.Equal("hasher 1000 ms", Shape(slowHasher).MarkSince(Shape(fiveRng)));
        Assert.Equal("cap off", Shape(noCap).MarkSince(Shape(ten)));
    }

    [Fact]
    public void A_reset_is_one_mark_naming_every_part_it_changed()
    {
        var lesson = Start with { Workers = 10, RngReplicas = 5, RngConcurrentRequests = 0 };

        Assert.Equal("1 worker · 1 rng · cap on", Shape(Start).MarkSince(Shape(lesson)));
    }

    [Fact]
    public void No_change_is_no_mark_and_the_first_shape_is_marked_by_its_workers()
    {
        Assert.Null(Shape(Start).MarkSince(Shape(Start)));
        Assert.Equal("1 worker", Shape(Start).MarkSince(null));
        Assert.Equal("3 workers", LessonShape.FromLiveWorkers(3).MarkSince(LessonShape.FromLiveWorkers(10)));
    }

    [Fact]
    public void The_form_kept_in_Redis_reads_back_the_same_marks()
    {
        var decoded = LessonShape.Decode(Shape(Start).Encode());

        Assert.Null(Shape(Start).MarkSince(decoded));
        Assert.Equal("5 rng", Shape(Start with { RngReplicas = 5 }).MarkSince(decoded));
    }

    private static LessonShape Shape(WorkshopSettings settings) => LessonShape.FromWorkshop(settings);
}
