/**
 * Every word the service sends, in one place, as data. Facts come from shared/recovery-facts.md;
 * the wording is ours. SMS bodies must stay in the GSM-7 alphabet (straight quotes, no emoji, no
 * long dashes) and at most two segments: tests/unit/messages.test.ts checks every entry.
 */
export const SMS = {
  checkinFirst:
    'Leg day logged. Next 48h: ice any sharp or swollen spot 15 min (wrapped) and keep moving, easy walks count. ' +
    'legday sends about 6 recovery texts per leg day. Msg & data rates may apply. Reply HELP for help, STOP to opt out.',
  checkinAgain:
    'Leg day logged, new plan started. Next 48h: ice any sharp or swollen spot 15 min (wrapped) and keep moving gently. ' +
    'Back complaining? Reply PAIN.',
  help:
    'legday: recovery texts after leg day. Text LEGS DONE after training, PAIN if your back hurts. ' +
    'About 6 msgs/leg day. Msg & data rates may apply. STOP to opt out.',
  stopped: "You're unsubscribed from legday. No more texts. Reply START to come back.",
  started:
    'Welcome to legday. Text LEGS DONE after leg day for your recovery plan. About 6 msgs/leg day. ' +
    'Msg & data rates may apply. HELP for help, STOP to opt out.',
  unknown: "Didn't catch that. Text LEGS DONE after leg day, PAIN if your back hurts, HELP for info, STOP to opt out.",
  urgent:
    'Get medical help now. Numbness or tingling, a weak leg, bladder or bowel trouble, fever, or pain after a fall ' +
    'or that is severe or getting worse needs a doctor today, not stretches. If it is bad, call your local emergency number.',
  painEarly:
    'Sorry, mate. It is under 48h since leg day: ice the sore spot 15 min (wrapped), then keep moving gently, a walk or easy swim. ' +
    'Stretch: 90/90 and knees-to-chest. Dead hang 20s. Foam roll glutes and hamstrings.',
  painLate:
    'Sorry, mate. Over 48h since leg day, so heat beats ice now: warm shower or heat pack 15-20 min. Keep moving gently. ' +
    'Stretch: 90/90 and knees-to-chest. Dead hang 20s. Foam roll glutes and hamstrings.',
  painNoCheckin:
    'Sorry, mate. New and sharp? Ice 15 min (wrapped). Stiff and achy, or over 48h old? Heat instead. Keep moving gently, ' +
    'stretch 90/90 and knees-to-chest, dead hang 20s, foam roll glutes and hamstrings.',
  /** Prefixed to a pain reply when the same text also logged a leg day. */
  checkinWithPainPrefix: 'Leg day logged. ',
  /** Scheduled recovery texts, keyed by plan step id (src/content/plan.ts). */
  steps: {
    'ice-1':
      'Morning after leg day. Sharp or puffy spot? Ice it 15 min, cloth between ice and skin. Then an easy walk: ' +
      'blood flow beats the couch.',
    'ice-2':
      'Day 2, still the ice window: ice anything sharp or swollen, and keep moving gently. A short walk or easy swim ' +
      'is plenty. Back bad? Reply PAIN.',
    heat:
      '48h since leg day: swap ice for heat. A warm shower or heat pack on stiff, achy spots for 15-20 min loosens ' +
      'things up.',
    'mobility-1':
      'Mobility time. 90/90 stretch, 1 min a side, then knees-to-chest for 30s. Tight hips and hamstrings tug on ' +
      'your lower back.',
    'mobility-2':
      'Stay loose: dead hang from a pull-up bar 3x20s to take load off your spine, then foam roll glutes and ' +
      'hamstrings 1 min each.',
    'pre-leg-day':
      'Leg day soon. Warm up 5-10 min: leg swings, hip openers, bodyweight squats, glute bridges. ' +
      'Brace every rep: belly breath, abs tight. Max +10% weight a week.',
  },
} as const;

export type StepId = keyof typeof SMS.steps;
