import { CITIES, INDUSTRIES, PROVINCES } from '@kam/domain';
import { useMemo } from 'react';
import { useFormat } from '../../i18n/useFormat';
import type { Option } from './labels';

export interface RegionOption extends Option {
  children?: RegionOption[];
}

export interface Regions {
  industryOptions: Option[];
  /** Province → city, for a Cascader. */
  regionOptions: RegionOption[];
  industryLabel: (code: string | null | undefined) => string;
  regionLabel: (provinceCode: string | null | undefined, cityCode: string | null | undefined) => string;
}

/** GB/T 4754 industry sections and GB/T 2260 provinces / cities (official Chinese names) from @kam/domain. */
export function useRegions(): Regions {
  const { locale } = useFormat();
  return useMemo(() => {
    const pick = (text: { zh: string; en: string }) => (locale === 'en' ? text.en : text.zh);
    const industryOptions = INDUSTRIES.map((i) => ({ value: i.code, label: `${i.code} ${pick(i)}` }));
    const industryNames = new Map<string, string>(INDUSTRIES.map((i) => [i.code, pick(i)]));
    const provinceNames = new Map(PROVINCES.map((p) => [p.code, p.name]));
    const cityNames = new Map(CITIES.map((c) => [c.code, c.name]));
    const citiesByProvince = new Map<string, RegionOption[]>();
    for (const city of CITIES) {
      const list = citiesByProvince.get(city.provinceCode) ?? [];
      list.push({ value: city.code, label: city.name });
      citiesByProvince.set(city.provinceCode, list);
    }
    const regionOptions = PROVINCES.map((p) => {
      const children = citiesByProvince.get(p.code);
      return { value: p.code, label: p.name, children: children?.length ? children : undefined };
    });
    return {
      industryOptions,
      regionOptions,
      industryLabel: (code) => (code ? (industryNames.get(code) ?? code) : '—'),
      regionLabel: (provinceCode, cityCode) => {
        const province = provinceCode ? (provinceNames.get(provinceCode) ?? provinceCode) : null;
        const city = cityCode ? (cityNames.get(cityCode) ?? cityCode) : null;
        if (!province && !city) return '—';
        if (province && city && city !== province)
          return locale === 'en' ? `${city}, ${province}` : `${province} ${city}`;
        return (province ?? city) as string;
      },
    };
  }, [locale]);
}
