export function rsaTpmPublic(modulus: Buffer, role?: 'ek' | 'srk'): Buffer;
export function eccTpmPublic(x: Buffer, y: Buffer, role?: 'ek' | 'srk'): Buffer;
export function newTpmPublicBase64(kind: 'rsa' | 'ecc', role?: 'ek' | 'srk'): string;
