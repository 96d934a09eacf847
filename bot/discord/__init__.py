"""What the bot needs to run on Discord, beside the cogs: rendering to Discord's limits
(:mod:`render`, :mod:`chart`, :mod:`views`), the command tree's error funnel (:mod:`tree`), the
ticks' base (:mod:`ticking`, :mod:`backoff`), and the pieces the bot owns and hands to every cog
(:mod:`replylog`, :mod:`plans`, :mod:`organizers`)."""
