import { describe, expect, it } from 'vitest';
import { message } from '../store/testing/fixtures';
import { deliveryLabel, groupMessages, highlightParts, runDeliveryLabels } from './messages-view';

const NOW = new Date(2024, 4, 10, 15, 0).getTime();
const at = (day: number, hour: number, minute = 0): number =>
  new Date(2024, 4, day, hour, minute).getTime();

describe('groupMessages', () => {
  it('groups by day, then by sender runs broken by a pause', () => {
    const msgs = [
      message({ ts: at(9, 9), sender: 'B', senderName: 'Bob' }),
      message({ ts: at(10, 9), sender: 'B', senderName: 'Bob' }),
      message({ ts: at(10, 9, 2), sender: 'B', senderName: 'Bob' }),
      message({ ts: at(10, 9, 3), sender: 'A', senderName: 'Alice', mine: true }),
      message({ ts: at(10, 9, 30), sender: 'A', senderName: 'Alice', mine: true }),
    ];
    const days = groupMessages(msgs, { now: NOW });
    expect(days.map((d) => d.label)).toEqual(['Yesterday', 'Today']);
    expect(days[1]!.runs.map((r) => [r.senderName, r.messages.length])).toEqual([
      ['Bob', 2],
      ['Alice', 1],
      ['Alice', 1],
    ]);
  });

  it("names each run by the sender's current name in the room, when the room's details know it", () => {
    const msgs = [
      message({ ts: at(10, 9), sender: 'B', senderName: 'Bob' }),
      message({ ts: at(10, 9, 30), sender: 'C', senderName: 'Carol' }),
    ];
    const names = new Map([['B', 'Robert']]);
    expect(groupMessages(msgs, { now: NOW, names })[0]!.runs.map((r) => r.senderName)).toEqual([
      'Robert',
      'Carol',
    ]);
  });
});

describe('deliveryLabel', () => {
  it('says how far one’s message got', () => {
    expect(deliveryLabel(null)).toBeNull();
    expect(deliveryLabel({ delivered: 0, of: 4 })).toBe('Sent');
    expect(deliveryLabel({ delivered: 2, of: 4 })).toBe('Delivered to 2 of 4');
    expect(deliveryLabel({ delivered: 4, of: 4 })).toBe('Delivered');
    expect(deliveryLabel({ delivered: 0, of: 0 })).toBe('Sent');
  });
});

describe('highlightParts', () => {
  it('marks every match of any query word, ignoring case', () => {
    expect(highlightParts('Lunch at noon? lunch!', 'lunch NOON')).toEqual([
      { text: 'Lunch', match: true },
      { text: ' at ', match: false },
      { text: 'noon', match: true },
      { text: '? ', match: false },
      { text: 'lunch', match: true },
      { text: '!', match: false },
    ]);
    expect(highlightParts('a.b', '.')).toEqual([
      { text: 'a', match: false },
      { text: '.', match: true },
      { text: 'b', match: false },
    ]);
    expect(highlightParts('text', '  ')).toEqual([{ text: 'text', match: false }]);
  });
});

describe('runDeliveryLabels', () => {
  it('shows the words where they change and under the last message', () => {
    const d = (delivered: number) => message({ mine: true, delivery: { delivered, of: 2 } });
    expect(runDeliveryLabels([d(2), d(2), d(1), d(0), d(0)])).toEqual([
      null,
      'Delivered',
      'Delivered to 1 of 2',
      null,
      'Sent',
    ]);
  });
});
